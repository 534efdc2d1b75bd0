import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension ClusterSuites {
    /// Three nodes behind HAProxy with the repository's configuration (docs/cluster/haproxy.cfg), as
    /// docs/CLUSTER.md deploys them: clients reading, writing and following a live feed through the
    /// proxy while one node is killed (SIGKILL) and started again. No acknowledged write is lost, none
    /// lands twice, a read fails at most once in a row, and the live reader, reconnecting with its last
    /// seq, sees every frame in order without a gap or a resync.
    @Suite struct ClusterHAProxyTests {
        static let configuration = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/cluster/haproxy.cfg")
            .path
        static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Scripts/cluster_proxy.py").path

        @Test func throughHAProxy_readsWritesAndALiveFeedKeepWorking_whileANodeIsKilledAndRestarted() async throws {
            let directories = ["a", "b", "c"].map { OperatorCommandTests.temporary("proxy-" + $0) }
            let stop = OperatorCommandTests.temporary("proxy-stop")
            let progress = OperatorCommandTests.temporary("proxy-progress")
            defer {
                for path in directories + [stop, progress] { try? FileManager.default.removeItem(atPath: path) }
            }
            let first = directories[0]
            let setup = try await OffThePool.run { try ClusterLogTests.Setup(dataDirectory: first) }
            let arguments = ["--trusted-proxies", "127.0.0.1"]
            var nodes = try directories.map { try ClusterNodeTests.Pair.node($0, setup, arguments) }

            let proxyPort = try TemporaryPostgres.freePort()
            let proxy = Process()
            proxy.executableURL = URL(fileURLWithPath: "/usr/sbin/haproxy")
            proxy.arguments = ["-db", "-f", Self.configuration]
            var environment = ProcessInfo.processInfo.environment
            environment["STATUSD_LISTEN"] = "127.0.0.1:\(proxyPort)"
            for (name, node) in zip(["A", "B", "C"], nodes) {
                environment["STATUSD_NODE_\(name)"] = "127.0.0.1:\(node.baseURL.port ?? 0)"
            }
            proxy.environment = environment
            proxy.standardOutput = FileHandle.nullDevice
            proxy.standardError = FileHandle.nullDevice
            try proxy.run()
            defer {
                proxy.terminate()
                proxy.waitUntilExit()
            }
            let viaProxy = try #require(URL(string: "http://127.0.0.1:\(proxyPort)"))
            #expect(
                await eventually(within: 20) {
                    try await nodes[0].request(viaProxy, "/api/status/acme").status == 200
                }, "HAProxy serves")

            let clients = Process()
            let output = Pipe()
            clients.executableURL = URL(fileURLWithPath: WebSocketTests.python)
            clients.arguments = [Self.script, "\(proxyPort)", setup.token, stop, progress]
            clients.standardOutput = output
            try clients.run()
            // What the clients report: writes acknowledged, and whether the live reader is connected.
            let reported = {
                let text = (try? String(contentsOfFile: progress, encoding: .utf8)) ?? ""
                let parts = text.split(separator: " ")
                return (writes: parts.first.flatMap { Int($0) } ?? 0, live: parts.last == "live")
            }
            #expect(
                await eventually("writes and a live reader through the proxy", within: 60) {
                    reported().writes >= 10 && reported().live
                })

            // The node the live reader is on: its death must not cost the reader a frame.
            var victim = 0
            for (index, node) in nodes.enumerated() {
                let metrics = String(decoding: try await node.request("/metrics").body, as: UTF8.self)
                if metrics.contains("statusd_live_connections{transport=\"websocket\"} 1") { victim = index }
            }
            kill(nodes[victim].process.processIdentifier, SIGKILL)
            nodes[victim].process.waitUntilExit()
            let atKill = reported().writes
            #expect(
                await eventually("writes to go on without the node", within: 60) {
                    reported().writes >= atKill + 20
                })
            nodes[victim] = try ClusterNodeTests.Pair.node(directories[victim], setup, arguments)
            let restarted = nodes[victim]
            #expect(await eventually(within: 20) { try await restarted.request("/ready").status == 200 })
            let atRestart = reported().writes
            #expect(
                await eventually("writes after the restart", within: 60) {
                    reported().writes >= atRestart + 20
                })

            _ = FileManager.default.createFile(atPath: stop, contents: nil)
            let data = try await OffThePool.output(of: clients, output)
            let seen = try #require(
                try JSONSerialization.jsonObject(with: data) as? [String: Any],
                "\(String(decoding: data, as: UTF8.self))")

            let acknowledged = seen["acknowledged"] as? [String] ?? []
            #expect(acknowledged.count >= 40 && seen["given_up"] as? Int == 0, "every write acknowledged: \(seen)")
            #expect(Set(acknowledged).count == acknowledged.count, "no write twice")
            let owner = APIClient(token: setup.token).with(nodes[(victim + 1) % nodes.count])
            for id in acknowledged {
                #expect(
                    try await owner.call("GET", "/api/incidents/\(id)").status == 200, "acknowledged \(id) is there")
            }
            #expect(seen["reads_failed_twice"] as? Int == 0, "a read fails at most once in a row: \(seen)")
            #expect((seen["reads"] as? Int ?? 0) > 0)

            let frames = (seen["frames"] as? [[Int]] ?? []).map { (prev: $0[0], seq: $0[1]) }
            #expect(seen["resyncs"] as? Int == 0, "resumed from its seq, never told to resync: \(seen["closes"] ?? "")")
            #expect((seen["reconnects"] as? Int ?? 0) >= 1, "the reader's node was killed: it reconnected")
            #expect(frames.count >= 40, "a frame for each write made after it connected (40 at least)")
            for (before, after) in zip(frames, frames.dropFirst()) where after.prev != before.seq {
                Issue.record("a gap in the live feed: \(before.seq) then \(after.prev) -> \(after.seq)")
                break
            }
        }
    }
}
