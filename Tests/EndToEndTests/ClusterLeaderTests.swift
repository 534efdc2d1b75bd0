import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension ClusterSuites {
    /// The work one node of a cluster does (the leader, through a lease in PostgreSQL): the maintenance
    /// timers and the archive pass. A paused leader is replaced and, resumed, does nothing twice; archived
    /// incidents are served by every node, one that was following and one that joins later.
    @Suite struct ClusterLeaderTests {
        static func leads(_ node: StatusdProcess) async throws -> Bool? {
            let health = try await node.request("/health")
            let json = try JSONSerialization.jsonObject(with: health.body) as? [String: Any]
            return json?["leader"] as? Bool
        }

        @Test func aPausedLeader_isReplaced_andResumedRunsNoTimerTwice() async throws {
            let directories = [OperatorCommandTests.temporary("leader-a"), OperatorCommandTests.temporary("leader-b")]
            defer { for directory in directories { try? FileManager.default.removeItem(atPath: directory) } }
            let first = directories[0]
            let setup = try await OffThePool.run { try ClusterLogTests.Setup(dataDirectory: first) }
            let leader = try ClusterNodeTests.Pair.node(directories[0], setup, [])
            #expect(
                await eventually(within: 20) { try await Self.leads(leader) == true }, "the first node leads")
            let other = try ClusterNodeTests.Pair.node(directories[1], setup, [])
            #expect(try await Self.leads(other) == false, "one leader")
            // Both nodes report themselves: `statusd cluster status` lists them and names the leader.
            var status = ""
            #expect(
                await eventually("both nodes in cluster status", within: 30) {
                    status =
                        (try? CommandLineTests.runCapturing(["cluster", "status"], environment: setup.environment))?
                        .stdout ?? ""
                    return status.contains("nodes seen in the last minute: 2")
                })
            for node in [leader, other] {
                #expect(status.contains("127.0.0.1:\(node.baseURL.port ?? 0)"), "\(status)")
            }
            #expect(
                status.split(separator: "\n").contains {
                    $0.contains("127.0.0.1:\(leader.baseURL.port ?? 0)") && $0.contains(" yes ")
                }, "the first node leads: \(status)")

            let owner = APIClient(token: setup.token).with(other)
            let start = Date().addingTimeInterval(3)
            let created = try await owner.call(
                "POST", "/api/maintenance",
                [
                    "name": "Starts while the leader is paused", "scheduled_start": start.formatted(.iso8601),
                    "scheduled_end": start.addingTimeInterval(3_600).formatted(.iso8601),
                ])
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            kill(leader.process.processIdentifier, SIGSTOP)
            var resumed = false
            defer { if !resumed { kill(leader.process.processIdentifier, SIGCONT) } }
            #expect(
                await eventually("the other node to lead", within: 30) {
                    (try? await Self.leads(other)) == true
                })
            #expect(
                await eventually("the window to start", within: 30) {
                    (try? await owner.call("GET", "/api/maintenance/\(id)").json["status"] as? String) == "in_progress"
                })
            kill(leader.process.processIdentifier, SIGCONT)
            resumed = true
            #expect(
                await eventually("the old leader to step down", within: 30) {
                    (try? await Self.leads(leader)) == false
                })
            // The old leader has followed the log past the start (its lag is back under the limit).
            #expect(await eventually(within: 20) { try await leader.request("/ready").status == 200 })
            for node in [leader, other] {
                let window = try await APIClient(token: setup.token).with(node).call("GET", "/api/maintenance/\(id)")
                    .json
                let starts = (window["updates"] as? [[String: Any]] ?? []).filter {
                    $0["status"] as? String == "in_progress"
                }
                #expect(window["status"] as? String == "in_progress" && starts.count == 1, "started once: \(window)")
            }
        }

        @Test func archivedIncidents_areServedByEveryNode_aFollowerAndOneThatJoinsFromTheSharedSnapshot()
            async throws
        {
            let directories = ["a", "b", "c", "d"].map { OperatorCommandTests.temporary("archive-" + $0) }
            defer { for directory in directories { try? FileManager.default.removeItem(atPath: directory) } }
            let first = directories[0]
            let setup = try await OffThePool.run { try ClusterLogTests.Setup(dataDirectory: first) }
            let writer = try ClusterNodeTests.Pair.node(directories[0], setup, [])
            #expect(await eventually(within: 20) { try await Self.leads(writer) == true })
            // A node whose clock is 200 days on: when it leads, the resolved incident is long past the
            // window kept in memory.
            let later = Date().addingTimeInterval(200 * 86_400).formatted(.iso8601)
            // It shares a snapshot at every event it applies: the node that joins starts from one.
            let archiver = try StatusdProcess(
                arguments: ["--snapshot-every-events", "1"], dataDirectory: URL(fileURLWithPath: directories[1]),
                environment: setup.environment.merging(["STATUSD_TEST_FROZEN_AT": later]) { $1 })
            // It may not lead, so that the node 200 days on is the one that takes over.
            let follower = try ClusterNodeTests.Pair.node(directories[2], setup, ["--no-cluster-leader"])

            let owner = APIClient(token: setup.token).with(writer)
            let id = try #require(
                try await owner.call("POST", "/api/incidents", ["name": "Long ago", "body": "Down"]).json["id"]
                    as? String)
            #expect(try await owner.call("PUT", "/api/incidents/\(id)/resolve").status == 200)
            writer.stop()  // it gives up the lease: the node 200 days on leads, and archives
            #expect(
                await eventually("the archive pass", within: 60) {
                    ((try? setup.postgres.psql("SELECT count(*) FROM statusd_archive")) ?? "")
                        .trimmingCharacters(in: .whitespacesAndNewlines) != "0"
                })
            // A shared snapshot that holds the archive pass's event (the items out of memory).
            #expect(
                await eventually("a shared snapshot after the archive pass", within: 60) {
                    let newest =
                        (try? setup.postgres.psql("SELECT coalesce(max(position), 0) FROM statusd_snapshots")) ?? ""
                    let head = (try? setup.postgres.psql("SELECT position + 1 FROM statusd_log_head")) ?? "?"
                    return newest.trimmingCharacters(in: .whitespacesAndNewlines)
                        == head.trimmingCharacters(in: .whitespacesAndNewlines)
                })
            let joined = try ClusterNodeTests.Pair.node(directories[3], setup, [])
            var answers: [String] = []
            for node in [archiver, follower, joined] {
                let api = APIClient(token: setup.token).with(node)
                #expect(
                    await eventually(within: 20) {
                        try await api.call("GET", "/api/incidents/\(id)").status == 200
                            && FileManager.default.fileExists(atPath: node.dataDirectory.path + "/archive")
                            && ((try? FileManager.default.contentsOfDirectory(
                                atPath: node.dataDirectory.path + "/archive"))?
                                .contains { $0.hasSuffix(".archive") } ?? false)
                    }, "served from the node's copy of the archive")
                answers.append(try await api.call("GET", "/api/incidents/\(id)").text)
            }
            #expect(Set(answers).count == 1, "the same archived incident on every node: \(answers)")
            #expect(answers.first?.contains("Long ago") == true)
            // The public page's bytes: the node that follows and the one that joined (the archiver's
            // clock is 200 days on, and uptime is counted to today).
            let followerPage = try await follower.request("/api/status/acme").body
            let joinedPage = try await joined.request("/api/status/acme").body
            #expect(followerPage == joinedPage, "the same public answer on the follower and the joined node")
        }
    }
}
