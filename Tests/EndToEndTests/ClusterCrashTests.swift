import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension ClusterSuites {
    /// Nodes killed with SIGKILL over and over (the leader among them) while others write, read, share
    /// snapshots and remove events behind them: every acknowledged write is on every node exactly once,
    /// the nodes that stayed up answered every read, a live reader on the node never killed saw every
    /// frame without a gap or a resync, and once quiet all three hold the same states (the operator
    /// port's digest).
    @Suite struct ClusterCrashTests {
        /// Reads the public summary from every node in turn until stopped, counting what was not 200 on
        /// a node that was up (a killed node's refusals are expected and not counted).
        final class Readers: Sendable {
            let nodes: Mutex<[StatusdProcess?]>
            let failures = Mutex<[String]>([])
            let reads = Atomic<Int>(0)
            private let stopped = Atomic<Bool>(false)

            init(_ nodes: [StatusdProcess]) { self.nodes = Mutex(nodes.map { Optional($0) }) }

            func run() async {
                var index = 0
                while !stopped.load(ordering: .relaxed) {
                    index += 1
                    let node = nodes.withLock { $0[index % $0.count] }
                    guard let node else { continue }
                    let answer = try? await node.request("/api/status/acme")
                    // Taken again: a node replaced meanwhile (killed) may rightly have refused.
                    let stillUp = nodes.withLock { $0.contains { $0 === node } }
                    if answer?.status == 200 {
                        reads.add(1, ordering: .relaxed)
                    } else if stillUp {
                        failures.withLock { $0.append("\(node.baseURL): \(answer?.status.description ?? "no answer")") }
                    }
                }
            }

            func stop() { stopped.store(true, ordering: .relaxed) }
        }

        @Test func nodesKilledOverAndOverUnderLoad_loseNothingAcknowledged_andEndWithTheSameStates() async throws {
            let directories = ["a", "b", "c"].map { OperatorCommandTests.temporary("crash-" + $0) }
            defer { for directory in directories { try? FileManager.default.removeItem(atPath: directory) } }
            let first = directories[0]
            let setup = try await OffThePool.run { try ClusterLogTests.Setup(dataDirectory: first) }
            let arguments = [
                "--admin-port", "0", "--quotas", "active_incidents=100000", "--snapshot-every-events", "40",
            ]
            func start(_ index: Int) throws -> StatusdProcess {
                try StatusdProcess(
                    arguments: arguments, dataDirectory: URL(fileURLWithPath: directories[index]),
                    environment: setup.environment)
            }
            var nodes = try (0..<3).map(start)
            // A live reader on the node that is never killed: no seq gap, no resync, whoever wrote.
            let (stop, progress) = (directories[2] + ".stop", directories[2] + ".progress")
            defer { for file in [stop, progress] { try? FileManager.default.removeItem(atPath: file) } }
            let follower = Process()
            let followed = Pipe()
            follower.executableURL = URL(fileURLWithPath: WebSocketTests.python)
            follower.arguments = [
                ClusterNodeTests.script, "follow", "\(nodes[2].baseURL.port ?? 0)", "acme", stop, progress,
            ]
            follower.standardOutput = followed
            try follower.run()
            let framesSeen = { Int((try? String(contentsOfFile: progress, encoding: .utf8)) ?? "") ?? -1 }
            #expect(await eventually("the live reader to subscribe", within: 30) { framesSeen() >= 0 })
            // Writes go to the first two (each retried on the other under its Idempotency-Key until
            // acknowledged); reads go to all three.
            let load = WriteLoad(targets: [nodes[0], nodes[1]], token: setup.token, keyed: true)
            load.start(writersPerTarget: 3)
            let readers = Readers(nodes)
            let reading = Task { await readers.run() }
            _ = await load.wait { $0.filter { $0.status == 201 }.count >= 20 }

            for round in 0..<4 {
                // Reads answered on every node before each kill (a count reached, not a speed assumed).
                let readsBefore = readers.reads.load(ordering: .relaxed)
                #expect(
                    await eventually("round \(round): reads answered", within: 60) {
                        readers.reads.load(ordering: .relaxed) >= readsBefore + 30
                    })
                // The leader (the first node, at first) among them: its lease passes to another.
                let victim = round % 2
                readers.nodes.withLock { $0[victim] = nil }
                load.replace(victim, with: nil)
                kill(nodes[victim].process.processIdentifier, SIGKILL)
                nodes[victim].process.waitUntilExit()
                let killedAt = load.all.count
                #expect(
                    await load.wait { $0.dropFirst(killedAt).filter { $0.status == 201 }.count >= 20 },
                    "round \(round): writes go on through the other node: \(load.statuses)")
                nodes[victim] = try start(victim)
                let restarted = nodes[victim]
                #expect(
                    await eventually("round \(round): the restarted node to be ready", within: 60) {
                        try await restarted.request("/ready").status == 200
                    })
                load.replace(victim, with: restarted)
                readers.nodes.withLock { $0[victim] = restarted }
                let backAt = load.all.count
                #expect(await load.wait { $0.dropFirst(backAt).filter { $0.status == 201 }.count >= 20 })
            }
            await load.stop()
            readers.stop()
            await reading.value
            // One incident per name acknowledged (a write retried under its key after its first answer
            // was lost is acknowledged twice).
            let written = Set(load.all.filter { $0.status == 201 }.map(\.name)).count
            #expect(
                await eventually(within: 30) { framesSeen() >= written },
                "the live reader sees a frame of every write: \(framesSeen()) frames, \(written) writes")
            _ = FileManager.default.createFile(atPath: stop, contents: nil)
            let live = try #require(
                try JSONSerialization.jsonObject(with: try await OffThePool.output(of: follower, followed))
                    as? [String: Any])
            let created = Set(live["created"] as? [String] ?? [])
            let missing = load.all.filter { $0.status == 201 && !created.contains($0.name) }
            #expect(missing.isEmpty, "no incident_created frame for \(missing.prefix(10).map(\.name))")
            #expect(
                (live["gaps"] as? [Any])?.isEmpty == true && live["resyncs"] as? Int == 0
                    && live["ended"] is NSNull, "the live reader on the node that stayed up: \(live)")

            #expect(
                readers.failures.withLock { $0 }.isEmpty,
                "reads on nodes that were up: \(readers.failures.withLock { $0.prefix(5) })")
            #expect(
                Set(load.all.compactMap(\.status)).isSubset(of: [201, 409, 503]), "\(load.statuses)")
            var digests: [String?] = []
            #expect(
                await eventually(within: 30) {
                    digests = []
                    for node in nodes { digests.append(try await ClusterNodeTests.digest(node)) }
                    return digests[0] != nil && Set(digests).count == 1
                }, "the same states on every node once quiet: \(digests)")
            #expect(
                ClusterSharingTests.value(setup, "SELECT value FROM statusd_meta WHERE key = 'pruned_before'") > 1,
                "the leader shared snapshots and removed events behind them meanwhile")
            for node in nodes {
                #expect(
                    load.problems(in: try await WriteLoad.incidentNames(on: node, token: setup.token)) == [],
                    "every acknowledged write once on \(node.baseURL)")
            }
        }
    }
}
