import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension ClusterSuites {
    /// What makes several statusd processes one cluster, beyond serving each other's writes
    /// (ClusterFollowTests): one session key, so a session and its logout hold on every node; a node that
    /// trails the log drains itself (`/ready`) and sends its live clients elsewhere (1013); a LISTEN
    /// connection cut is caught up; a log restored from a backup stops the nodes, which reload from it and
    /// tell their live clients to resync.
    @Suite struct ClusterNodeTests {
        static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Scripts/cluster_node.py").path

        /// Runs one scenario of `cluster_node.py`; what it printed.
        static func run(_ arguments: String...) async throws -> [String: Any] {
            let process = Process()
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: WebSocketTests.python)
            process.arguments = [script] + arguments
            process.standardOutput = output
            try process.run()
            let data = try await OffThePool.output(of: process, output)
            return try #require(
                try JSONSerialization.jsonObject(with: data) as? [String: Any],
                "\(String(decoding: data, as: UTF8.self))")
        }

        /// Two nodes on a fresh log with `acme`, started with `arguments`, and the owner's key.
        struct Pair {
            // Before the setup: the nodes stop (and say goodbye to PostgreSQL) before it does.
            let nodes: [StatusdProcess]
            let setup: ClusterLogTests.Setup
            let directories: [String]

            init(_ name: String, arguments: [String] = []) async throws {
                directories = [
                    OperatorCommandTests.temporary(name + "-a"), OperatorCommandTests.temporary(name + "-b"),
                ]
                let first = directories[0]
                let setup = try await OffThePool.run { try ClusterLogTests.Setup(dataDirectory: first) }
                self.setup = setup
                nodes = try directories.map { try Self.node($0, setup, arguments) }
            }

            static func node(_ directory: String, _ setup: ClusterLogTests.Setup, _ arguments: [String]) throws
                -> StatusdProcess
            {
                try StatusdProcess(
                    arguments: arguments, dataDirectory: URL(fileURLWithPath: directory), environment: setup.environment
                )
            }

            func remove() {
                for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
            }
        }

        /// The operator port's digest of a node's states.
        static func digest(_ node: StatusdProcess) async throws -> String? {
            guard let admin = node.adminURL else { return nil }
            let answer = try await node.request(admin, "/admin/digest")
            return (try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["sha256"] as? String
        }

        @Test func twoNodesWritingOneOrganizationAtOnce_leaveThreeNodesWithTheSameDigest() async throws {
            let directories = ["a", "b", "c"].map { OperatorCommandTests.temporary("digest-" + $0) }
            defer { for directory in directories { try? FileManager.default.removeItem(atPath: directory) } }
            let first = directories[0]
            let setup = try await OffThePool.run { try ClusterLogTests.Setup(dataDirectory: first) }
            let nodes = try directories.map { try Pair.node($0, setup, ["--admin-port", "0"]) }
            let service = try #require(
                try await APIClient(token: setup.token).with(nodes[0]).call("POST", "/api/services", ["name": "API"])
                    .json["id"] as? String)
            let statuses = ["degraded_performance", "partial_outage", "major_outage", "operational"]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<2 {
                    let api = APIClient(token: setup.token).with(nodes[writer])
                    group.addTask {
                        for index in 0..<25 {
                            let body: [String: Any] = ["status": statuses[(index + writer) % statuses.count]]
                            _ = try await api.call("PUT", "/api/services/\(service)/status", body)
                            _ = try await api.call(
                                "POST", "/api/incidents", ["name": "From \(writer), \(index)", "body": "b"])
                        }
                    }
                }
                try await group.waitForAll()
            }
            var digests: [String?] = []
            #expect(
                await eventually(within: 20) {
                    digests = []
                    for node in nodes { digests.append(try await Self.digest(node)) }
                    return digests[0] != nil && Set(digests).count == 1
                }, "the same states on every node once quiet: \(digests)")
            let incidents = try await APIClient(token: setup.token).with(nodes[2]).call(
                "GET", "/api/incidents?limit=100")
            #expect(incidents.items.count == 50, "every write landed once")
        }

        @Test func aSessionMadeOnOneNode_opensTheOther_andItsLogoutReachesIt() async throws {
            let pair = try await Pair("session")
            defer { pair.remove() }
            let (onFirst, _) = try await AccountTests.signUp("roams@example.com", on: pair.nodes[0])
            let onSecond = APIClient(token: onFirst.token).with(pair.nodes[1])
            #expect(
                await eventually(within: 20) { try await onSecond.call("GET", "/api/auth/me").status == 200 },
                "one session key for the cluster: a session made on one node opens the other")
            #expect(try await onFirst.call("POST", "/api/auth/logout").status == 204)
            #expect(
                await eventually(within: 20) { try await onSecond.call("GET", "/api/auth/me").status == 401 },
                "a logout on one node revokes the session on the other")
        }

        @Test func aPausedNode_answersItsFirstReadyWith503_andIsReadyOnceCaughtUp() async throws {
            let pair = try await Pair("paused", arguments: ["--cluster-ready-lag-seconds", "1"])
            defer { pair.remove() }
            let paused = pair.nodes[1]
            #expect(try await paused.request("/ready").status == 200)
            let owner = APIClient(token: pair.setup.token).with(pair.nodes[0])
            kill(paused.process.processIdentifier, SIGSTOP)
            var resumed = false
            defer { if !resumed { kill(paused.process.processIdentifier, SIGCONT) } }
            for index in 0..<3 {
                #expect(
                    try await owner.call("POST", "/api/incidents", ["name": "Meanwhile \(index)", "body": "b"]).status
                        == 201)
            }
            // The state under test is "paused for longer than the limit": only time makes it.
            try await Task.sleep(for: .seconds(2))
            let first = try await Self.run(
                "first-ready", "\(paused.baseURL.port ?? 0)", "\(paused.process.processIdentifier)")
            resumed = true
            #expect(
                first["status"] as? Int == 503, "the first answer after the pause says the node is behind: \(first)")
            #expect(
                await eventually(within: 20) { try await paused.request("/ready").status == 200 },
                "ready again once caught up")
            let summary = String(decoding: try await paused.request("/api/status/acme/incidents").body, as: UTF8.self)
            #expect(summary.contains("Meanwhile 2"), "what was written during the pause is served")
        }

        @Test func withTheLogUnreachable_aNodeSendsLiveClientsElsewhere_andTakesThemBackOnceCaughtUp() async throws {
            let pair = try await Pair(
                "behind", arguments: ["--cluster-ready-lag-seconds", "1", "--cluster-live-lag-seconds", "2"])
            defer { pair.remove() }
            let node = pair.nodes[1]
            async let left = Self.run("left", "\(node.baseURL.port ?? 0)", "acme")
            // The feed is open once the node counts it.
            #expect(
                await eventually(within: 20) {
                    String(decoding: try await node.request("/metrics").body, as: UTF8.self)
                        .contains("statusd_live_connections{transport=\"websocket\"} 1")
                })
            pair.setup.postgres.stop()
            let closed = try await left
            #expect(closed["code"] as? Int == 1013, "\(closed)")
            #expect((closed["reason"] as? String)?.contains("reconnect elsewhere") == true, "\(closed)")
            let refused = try await node.request("/api/status/acme/events")
            #expect(refused.status == 503, "no new live connection while behind")
            #expect(try await node.request("/ready").status == 503)
            #expect(try await node.request("/api/status/acme").status == 200, "reads go on from memory")

            try pair.setup.postgres.start()
            #expect(
                await eventually(within: 20) { try await node.request("/ready").status == 200 },
                "ready once the log is back and read")
            #expect(
                await eventually(within: 20) {
                    let metrics = String(decoding: try await node.request("/metrics").body, as: UTF8.self)
                    guard metrics.contains("statusd_live_closed{reason=\"behind\"}") else { return false }
                    let feed = try await Self.run("resume", "\(node.baseURL.port ?? 0)", "acme", "0")
                    return feed["hello"] != nil
                }, "live connections are taken again")
        }

        @Test func theListenConnectionTerminated_theNodeCatchesUp() async throws {
            let pair = try await Pair("listen")
            defer { pair.remove() }
            let owner = APIClient(token: pair.setup.token).with(pair.nodes[0])
            #expect(try await owner.call("POST", "/api/incidents", ["name": "Before", "body": "b"]).status == 201)
            #expect(
                await eventually(within: 20) {
                    String(decoding: try await pair.nodes[1].request("/api/status/acme/incidents").body, as: UTF8.self)
                        .contains("Before")
                })
            let terminated = try pair.setup.postgres.psql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
            #expect(terminated.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "both nodes' LISTEN connections")
            #expect(
                try await owner.call("POST", "/api/incidents", ["name": "After the cut", "body": "b"]).status == 201)
            #expect(
                await eventually(within: 20) {
                    String(decoding: try await pair.nodes[1].request("/api/status/acme/incidents").body, as: UTF8.self)
                        .contains("After the cut")
                }, "the node catches up after its LISTEN connection was cut")
            #expect(
                await eventually(within: 20) {
                    try pair.setup.postgres.psql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
                        .trimmingCharacters(in: .whitespacesAndNewlines) == "2"
                }, "and listens again")
        }

        @Test func aLogRestoredFromAnEarlierDump_stopsTheNodes_whichReloadFromIt_andResyncTheirClients() async throws {
            let pair = try await Pair("restore")
            defer { pair.remove() }
            let owner = APIClient(token: pair.setup.token).with(pair.nodes[0])
            #expect(try await owner.call("POST", "/api/incidents", ["name": "Kept", "body": "b"]).status == 201)
            let backup = try pair.setup.postgres.dump()
            for index in 0..<3 {
                #expect(
                    try await owner.call("POST", "/api/incidents", ["name": "Lost \(index)", "body": "b"]).status == 201
                )
            }
            let hello = try await Self.run("resume", "\(pair.nodes[1].baseURL.port ?? 0)", "acme", "0")
            let seqBefore = try #require((hello["hello"] as? [String: Any])?["seq"] as? Int)

            try pair.setup.postgres.restore(backup)
            for node in pair.nodes {
                #expect(
                    await eventually("the node to stop on the replaced log", within: 30) {
                        !node.process.isRunning
                    })
                #expect(node.process.terminationStatus != 0, "a replaced log is a failure a supervisor restarts")
            }
            let restarted = try Pair.node(pair.directories[1], pair.setup, [])
            let incidents = String(
                decoding: try await restarted.request("/api/status/acme/incidents").body, as: UTF8.self)
            #expect(
                incidents.contains("Kept") && !incidents.contains("Lost"), "the node reloaded from the restored log")
            let resumed = try await Self.run("resume", "\(restarted.baseURL.port ?? 0)", "acme", "\(seqBefore)")
            #expect(
                (resumed["first"] as? [String: Any])?["type"] as? String == "resync",
                "a client ahead of the restored log is told to resync: \(resumed)")
        }
    }
}
