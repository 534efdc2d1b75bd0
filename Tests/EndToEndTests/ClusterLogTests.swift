import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension ClusterSuites {
    /// statusd on the log on PostgreSQL when things go wrong, over real sockets, each test with a
    /// PostgreSQL server of its own (so that it can stop it or cut its connections): the server stopped
    /// hard under load, the writer's connection cut during its COMMIT, two nodes writing one organization
    /// flat out and killed with SIGKILL. After each: every acknowledged write is in the log exactly once,
    /// no write twice, and a restart serves the same. In the last two every write carries an Idempotency-Key
    /// and is sent again with it until acknowledged (to the other node, when there are two): still once.
    @Suite struct ClusterLogTests {
        /// A PostgreSQL server, an organization on it made by `statusd org create`, and its owner's key.
        struct Setup: Sendable {
            let postgres: TemporaryPostgres
            let token: String
            var environment: [String: String] { ["STATUSD_POSTGRES_URL": postgres.url] }

            init(dataDirectory: String) throws {
                postgres = try TemporaryPostgres()
                let created = try CommandLineTests.runCapturing(
                    [
                        "org", "create", "--slug", "acme", "--name", "Acme", "--owner-email", "ops@acme.example",
                        "--data-dir", dataDirectory,
                    ], environment: ["STATUSD_POSTGRES_URL": postgres.url])
                guard created.status == 0 else { throw WriteLoadFailure(description: created.stderr) }
                token =
                    created.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                    ?? ""
            }

            func node(_ dataDirectory: String) throws -> StatusdProcess {
                try StatusdProcess(
                    arguments: ["--quotas", "active_incidents=100000"],
                    dataDirectory: URL(fileURLWithPath: dataDirectory),
                    environment: environment)
            }
        }

        @Test func postgresStoppedHard_underLoad_writes503_readsServe_readyFollows_nothingAcknowledgedLost()
            async throws
        {
            let data = OperatorCommandTests.temporary("cluster-stop")
            defer { try? FileManager.default.removeItem(atPath: data) }
            let setup = try await OffThePool.run { try Setup(dataDirectory: data) }
            var server = try setup.node(data)
            let load = WriteLoad(targets: [server], token: setup.token)
            load.start(writersPerTarget: 6)
            _ = await load.wait { $0.filter { $0.status == 201 }.count >= 30 }

            try await OffThePool.run { setup.postgres.stop(immediate: true) }
            let stoppedAt = load.all.count
            let stoppedTime = load.elapsed
            // Writes are refused (503, Retry-After) rather than left hanging; reads, pages and health go on.
            #expect(await load.wait { $0.dropFirst(stoppedAt).filter { $0.status == 503 }.count >= 6 })
            #expect(try await server.request("/api/status/acme").status == 200)
            #expect(try await server.request("/status/acme").status == 200)
            #expect(try await server.request("/health").status == 200)
            #expect(
                await eventually("/ready to answer 503", within: 60) {
                    (try? await server.request("/ready").status) == 503
                })

            try await OffThePool.run { try setup.postgres.start() }
            let restartedTime = load.elapsed
            #expect(
                await eventually("/ready to answer 200", within: 60) {
                    (try? await server.request("/ready").status) == 200
                })
            let backAt = load.all.count
            #expect(await load.wait { $0.dropFirst(backAt).filter { $0.status == 201 }.count >= 30 })
            await load.stop()

            let outcomes = load.all
            #expect(Set(outcomes.compactMap(\.status)).isSubset(of: [201, 503]), "\(load.statuses)")
            let slowest = outcomes.map(\.seconds).max() ?? 0
            #expect(
                slowest < 20,
                """
                no write hangs: PostgreSQL stopped at \(stoppedTime) s, started at \(restartedTime) s; \
                the slowest answers: \(load.slowest(5))
                """)
            #expect(load.problems(in: try await WriteLoad.incidentNames(on: server, token: setup.token)) == [])
            server.stop()
            server = try setup.node(data)
            #expect(
                load.problems(in: try await WriteLoad.incidentNames(on: server, token: setup.token)) == [],
                "the same after a restart")
        }

        @Test func writerConnectionCutDuringCommit_answersCorrectly_andAppliesNothingTwice() async throws {
            let data = OperatorCommandTests.temporary("cluster-cut")
            defer { try? FileManager.default.removeItem(atPath: data) }
            let setup = try await OffThePool.run { try Setup(dataDirectory: data) }
            var server = try setup.node(data)
            let load = WriteLoad(targets: [server], token: setup.token, keyed: true)
            load.start(writersPerTarget: 8)
            _ = await load.wait { $0.filter { $0.status == 201 }.count >= 20 }
            // Terminate the writer's backend while a batch is open, over and over: inside statusd_append,
            // between it and the COMMIT ('idle in transaction'), or during the COMMIT, whose outcome the
            // node then has to find out.
            var cuts = 0
            let deadline = Date().addingTimeInterval(90)
            while cuts < 15 && Date() < deadline {
                let answer = try await OffThePool.run {
                    try setup.postgres.psql(
                        """
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                        WHERE (query LIKE '%statusd_append%' OR query LIKE 'BEGIN%' OR query LIKE 'COMMIT%') \
                        AND state IN ('active', 'idle in transaction') AND pid <> pg_backend_pid()
                        """)
                }
                cuts += Int(answer.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            }
            #expect(cuts >= 15, "cut \(cuts) appends in flight")
            let after = load.all.count
            #expect(await load.wait { $0.dropFirst(after).filter { $0.status == 201 }.count >= 20 }, "writes go on")
            await load.stop()

            #expect(Set(load.all.compactMap(\.status)).isSubset(of: [201, 503]), "\(load.statuses)")
            #expect(load.problems(in: try await WriteLoad.incidentNames(on: server, token: setup.token)) == [])
            server.stop()
            server = try setup.node(data)
            #expect(load.problems(in: try await WriteLoad.incidentNames(on: server, token: setup.token)) == [])
        }

        @Test func twoNodesWritingOneOrganization_killedRepeatedly_keepOneHistory_andRestartToTheSameState()
            async throws
        {
            let first = OperatorCommandTests.temporary("cluster-a")
            let second = OperatorCommandTests.temporary("cluster-b")
            defer {
                try? FileManager.default.removeItem(atPath: first)
                try? FileManager.default.removeItem(atPath: second)
            }
            let setup = try await OffThePool.run { try Setup(dataDirectory: first) }
            let folders = [first, second]
            var nodes = [try setup.node(first), try setup.node(second)]
            let load = WriteLoad(targets: nodes, token: setup.token, keyed: true)
            load.start(writersPerTarget: 4)
            for round in 0..<4 {
                let victim = round % 2
                let before = load.all.count
                _ = await load.wait { $0.dropFirst(before).filter { $0.status == 201 }.count >= 40 }
                load.replace(victim, with: nil)
                kill(nodes[victim].process.processIdentifier, SIGKILL)
                let victimProcess = nodes[victim].process
                try await OffThePool.run { victimProcess.waitUntilExit() }
                nodes[victim] = try setup.node(folders[victim])
                load.replace(victim, with: nodes[victim])
            }
            let last = load.all.count
            _ = await load.wait { $0.dropFirst(last).filter { $0.status == 201 }.count >= 40 }
            await load.stop()

            // 409 only when a command no longer applies after catching up: creating an incident always does.
            let statuses = Set(load.all.compactMap(\.status))
            #expect(statuses.isSubset(of: [201, 503]), "\(load.statuses)")
            #expect(load.all.filter { $0.status == 201 }.count >= 200)
            for node in nodes { node.stop() }
            nodes = [try setup.node(first), try setup.node(second)]
            let seen = [
                try await WriteLoad.incidentNames(on: nodes[0], token: setup.token),
                try await WriteLoad.incidentNames(on: nodes[1], token: setup.token),
            ]
            #expect(load.problems(in: seen[0]) == [])
            #expect(seen[0] == seen[1], "both nodes restart to the same state")
            let summaries = [
                try await nodes[0].request("/api/status/acme").body,
                try await nodes[1].request("/api/status/acme").body,
            ]
            #expect(summaries[0] == summaries[1], "the same public bytes on both nodes")
        }

        /// The public answers a move between the logs must keep byte for byte.
        static func publicAnswers(_ server: StatusdProcess) async throws -> [Data] {
            var answers: [Data] = []
            for path in ["/api/status/acme", "/s/acme/api/v2/summary.json", "/api/status/acme/timeline"] {
                let answer = try await server.request(path)
                #expect(answer.status == 200, "\(path)")
                answers.append(answer.body)
            }
            return answers
        }

        @Test func aDataDirectory_importedAndExportedBack_servesTheSameBytes_andItsSeqsGoOn() async throws {
            let local = OperatorCommandTests.temporary("cluster-local")
            let node = OperatorCommandTests.temporary("cluster-node")
            let back = OperatorCommandTests.temporary("cluster-back")
            defer { for path in [local, node, back] { try? FileManager.default.removeItem(atPath: path) } }
            let postgres = try await OffThePool.run { try TemporaryPostgres() }
            let onWAL = ["STATUSD_POSTGRES_URL": ""]
            let onPostgres = ["STATUSD_POSTGRES_URL": postgres.url]

            let initialized = try CommandLineTests.runCapturing(["cluster", "init"], environment: onPostgres)
            #expect(initialized.status == 0 && initialized.stdout.contains("schema version 4"), "\(initialized.stderr)")

            // A server on its local WAL, with a service, an incident and a keyed write.
            let created = try CommandLineTests.runCapturing(
                [
                    "org", "create", "--slug", "acme", "--name", "Acme", "--owner-email", "ops@acme.example",
                    "--data-dir",
                    local,
                ],
                environment: onWAL)
            #expect(created.status == 0, "\(created.stderr)")
            let api = APIClient(
                token: created.stdout.split(separator: " ").last.map {
                    $0.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                    ?? "")
            var server = try StatusdProcess(
                arguments: [], dataDirectory: URL(fileURLWithPath: local), environment: onWAL)
            api.server = server
            #expect(try await api.call("POST", "/api/services", ["name": "API"]).status == 201)
            let key = ["Idempotency-Key": "first-outage"]
            let incident = try await api.call(
                "POST", "/api/incidents", ["name": "Outage", "body": "Looking"], headers: key)
            #expect(incident.status == 201)
            // An incident in the history archive: resolved, then archived by a run whose clock is 200 days on.
            let old = try #require(
                try await api.call("POST", "/api/incidents", ["name": "Long ago", "body": "Down"]).json["id"] as? String
            )
            #expect(try await api.call("PUT", "/api/incidents/\(old)/resolve").status == 200)
            server.stop()
            let later = Date().addingTimeInterval(200 * 86_400).formatted(.iso8601)
            server = try StatusdProcess(
                arguments: [], dataDirectory: URL(fileURLWithPath: local),
                environment: onWAL.merging(["STATUSD_TEST_FROZEN_AT": later]) { $1 })
            #expect(
                await eventually("the archive pass", within: 30) {
                    ((try? FileManager.default.contentsOfDirectory(atPath: local + "/archive")) ?? []).contains {
                        $0.hasSuffix(".archive")
                    }
                })
            server.stop()
            server = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: local), environment: onWAL)
            api.server = server
            let archived = try await api.call("GET", "/api/incidents/\(old)")
            #expect(archived.status == 200 && archived.text.contains("Long ago"))
            let onTheWAL = try await Self.publicAnswers(server)
            server.stop()

            // Each move twice: the second is refused (the log, the folder, already holds one).
            let cluster = { (step: String, folder: String) in
                try (0..<2).map { _ in
                    try CommandLineTests.runCapturing(["cluster", step, "--data-dir", folder], environment: onPostgres)
                }
            }
            let imports = try cluster("import", local)
            #expect(imports[0].status == 0, "\(imports[0].stderr)")
            #expect(imports[1].status != 0 && imports[1].stderr.contains("not empty"), "\(imports[1].stderr)")

            // A node on an empty data directory starts from the imported base: the same bytes, the same keys,
            // and each stream's seq goes on.
            server = try StatusdProcess(
                arguments: [], dataDirectory: URL(fileURLWithPath: node), environment: onPostgres)
            api.server = server
            #expect(try await Self.publicAnswers(server) == onTheWAL)
            #expect(try await api.call("GET", "/api/incidents/\(old)").text == archived.text, "the archive came along")
            let retried = try await api.call(
                "POST", "/api/incidents", ["name": "Outage", "body": "Looking"], headers: key)
            #expect(retried.status == 201 && retried.json["id"] as? String == incident.json["id"] as? String)
            #expect(try await api.call("POST", "/api/incidents", ["name": "Second", "body": "Also"]).status == 201)
            let onPostgresAnswers = try await Self.publicAnswers(server)
            server.stop()

            let exports = try cluster("export", back)
            #expect(exports[0].status == 0, "\(exports[0].stderr)")
            #expect(exports[1].status != 0 && exports[1].stderr.contains("already holds"), "\(exports[1].stderr)")

            server = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: back), environment: onWAL)
            api.server = server
            #expect(try await Self.publicAnswers(server) == onPostgresAnswers)
            #expect(try await api.call("GET", "/api/incidents/\(old)").text == archived.text, "and back")
            #expect(try await api.call("GET", "/api/incidents").items.count == 3, "two in memory, one archived")
            #expect(
                try await api.call("POST", "/api/incidents", ["name": "Third", "body": "On the WAL"]).status == 201)
            server.stop()
        }
    }
}
