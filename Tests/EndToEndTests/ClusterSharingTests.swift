import Foundation
import TestSupport
import Testing

extension ClusterSuites {
    /// What the nodes of a cluster share besides the events: the names organizations take (one slug
    /// asked for on two nodes at once is created once), and the leader's snapshots, behind which the
    /// log's events are removed and from which a new node, or one whose snapshot is older than what
    /// the log keeps, starts.
    @Suite struct ClusterSharingTests {
        static func value(_ setup: ClusterLogTests.Setup, _ sql: String) -> Int {
            Int((try? setup.postgres.psql(sql))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
        }

        static func node(_ directory: String, _ setup: ClusterLogTests.Setup, _ arguments: [String], log: URL)
            throws -> StatusdProcess
        {
            try StatusdProcess(
                arguments: ["--admin-port", "0"] + arguments, dataDirectory: URL(fileURLWithPath: directory),
                environment: setup.environment, log: log)
        }

        @Test func theLeadersSnapshots_letTheLogShrink_andNodesStartFromThem() async throws {
            let directories = ["a", "b", "c"].map { OperatorCommandTests.temporary("shared-" + $0) }
            let logs = directories.map { URL(fileURLWithPath: $0 + ".log") }
            defer {
                for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
                for log in logs { try? FileManager.default.removeItem(at: log) }
            }
            let first = directories[0]
            let setup = try await OffThePool.run { try ClusterLogTests.Setup(dataDirectory: first) }
            let leader = try Self.node(directories[0], setup, ["--snapshot-every-events", "20"], log: logs[0])
            #expect(await eventually("the first node to lead") { try await ClusterLeaderTests.leads(leader) == true })
            var early: StatusdProcess? = try Self.node(directories[1], setup, ["--no-cluster-leader"], log: logs[1])
            let owner = APIClient(token: setup.token).with(leader)
            let service = try #require(
                try await owner.call("POST", "/api/services", ["name": "API"]).json["id"] as? String)
            let statuses = ["degraded_performance", "partial_outage", "major_outage", "operational"]
            func changeStatus(_ count: Int) async throws {
                for index in 0..<count {
                    let changed = try await owner.call(
                        "PUT", "/api/services/\(service)/status", ["status": statuses[index % statuses.count]])
                    #expect(changed.status == 200, "\(changed.text)")
                }
            }
            try await changeStatus(30)
            let caughtUp = await eventually("the second node to catch up") {
                try await ClusterNodeTests.digest(early!) == ClusterNodeTests.digest(leader)
            }
            #expect(caughtUp)
            // It stops with a snapshot of its own at about this position, and leaves statusd_nodes (a
            // node seen lately holds the removal of events back).
            early?.stop()
            early = nil
            let stoppedAt = Self.value(setup, "SELECT position FROM statusd_log_head")
            // Writes go on until the older of the two kept shared snapshots is past where it stopped.
            #expect(
                await eventually(within: 60) {
                    try await changeStatus(20)
                    return Self.value(setup, "SELECT value FROM statusd_meta WHERE key = 'pruned_before'") > stoppedAt
                        + 1
                },
                """
                the leader removes events behind its shared snapshots (the second node stopped at \(stoppedAt)); \
                nodes: \((try? setup.postgres.psql("SELECT node, position, seen_at FROM statusd_nodes")) ?? "?"), \
                snapshots: \((try? setup.postgres.psql("SELECT position FROM statusd_snapshots")) ?? "?")
                """)
            #expect(Self.value(setup, "SELECT count(*) FROM statusd_snapshots") == 2, "two shared snapshots kept")
            #expect(
                Self.value(setup, "SELECT min(position) FROM statusd_events")
                    == Self.value(setup, "SELECT value FROM statusd_meta WHERE key = 'pruned_before'"))

            // A node that joins, and the one whose snapshot is older than what the log keeps.
            let joined = try Self.node(directories[2], setup, [], log: logs[2])
            let restarted = try Self.node(directories[1], setup, ["--no-cluster-leader"], log: logs[1])
            var digests: [String?] = []
            #expect(
                await eventually(within: 30) {
                    digests = []
                    for node in [leader, joined, restarted] { digests.append(try await ClusterNodeTests.digest(node)) }
                    return digests[0] != nil && Set(digests).count == 1
                }, "the same states on every node: \(digests)")
            for log in logs[1...] {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                #expect(text.contains("starting from the cluster's shared snapshot"), "\(log.lastPathComponent)")
            }
            let history = try await APIClient(token: setup.token).with(joined).call("GET", "/api/services/\(service)")
            #expect(history.json["status"] as? String == statuses[19 % statuses.count], "\(history.text)")
        }

        @Test func oneSlugOrDomainAskedForOnTwoNodesAtOnce_isTakenOnce() async throws {
            let pair = try await ClusterNodeTests.Pair("names")
            defer { pair.remove() }
            let (ann, _) = try await AccountTests.signUp("ann@example.com", on: pair.nodes[0])
            let onSecond = APIClient(token: ann.token).with(pair.nodes[1])
            #expect(
                await eventually("the session to work on the second node") {
                    try await onSecond.call("GET", "/api/auth/me").status == 200
                })
            var made: [String] = []
            for index in 0..<6 {
                let body = ["slug": "twin-\(index)", "name": "Twin"]
                async let onA = ann.call("POST", "/api/organizations", body)
                async let onB = onSecond.call("POST", "/api/organizations", body)
                let answers = try await [onA, onB]
                #expect(answers.map(\.status).sorted() == [201, 409], "twin-\(index): \(answers.map(\.text))")
                if let id = answers.first(where: { $0.status == 201 })?.json["id"] as? String { made.append(id) }
                #expect(answers.first { $0.status == 409 }?.text.contains("is taken") == true)
            }
            try #require(made.count == 6)
            // Each node serves every organization, once followed.
            for node in pair.nodes {
                #expect(
                    await eventually("twin-5 on every node") {
                        try await node.request("/api/status/twin-5").status == 200
                    })
            }
            let domain = ["custom_domain": "status.twin.example"]
            let (first, second) = (made[0], made[1])
            async let onA = ann.call("PUT", "/api/organizations/\(first)", domain)
            async let onB = onSecond.call("PUT", "/api/organizations/\(second)", domain)
            let answers = try await [onA, onB]
            #expect(answers.map(\.status).sorted() == [200, 409], "\(answers.map(\.text))")
            // A slug let go of on one node is free on the other.
            #expect(try await ann.call("PUT", "/api/organizations/\(made[2])", ["slug": "moved"]).status == 200)
            #expect(
                try await onSecond.call("PUT", "/api/organizations/\(made[3])", ["slug": "twin-2"]).status == 200)
        }

        @Test func aKeysLastUseOnOneNode_isAnsweredByANodeThatNeverSawItUsed() async throws {
            let pair = try await ClusterNodeTests.Pair("key-use", arguments: ["--admin-port", "0"])
            defer { pair.remove() }
            let owner = APIClient(token: pair.setup.token).with(pair.nodes[0])
            let made = try await owner.call("POST", "/api/keys", ["name": "lister", "role": "admin"])
            let lister = try #require(made.json["token"] as? String)
            let used = try await owner.call("GET", "/api/services")
            #expect(used.status == 200)
            let ownerKey = try #require(
                try await owner.call("GET", "/api/keys").items.first {
                    $0["id"] as? String != made.json["id"] as? String
                }?[
                    "id"] as? String)
            // The first node shares its times when it stops; a node that starts reads everyone's.
            pair.nodes[0].stop()
            let directory = OperatorCommandTests.temporary("key-use-c")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let joined = try ClusterNodeTests.Pair.node(directory, pair.setup, [])
            let listing = APIClient(token: lister).with(joined)
            #expect(
                await eventually("the owner key's last use on the new node") {
                    try await listing.call("GET", "/api/keys").items.first { $0["id"] as? String == ownerKey }?[
                        "last_used_at"] is String
                })
        }
    }
}
