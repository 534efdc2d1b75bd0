import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension ClusterSuites {
    /// Subscribers in a cluster: the leader delivers, its progress marks are rows in PostgreSQL, and when
    /// it is killed during a burst the next leader goes on from them: every hook told at least once, a
    /// repeat only within the batch in flight, with the same idempotency key.
    @Suite struct ClusterNotifyTests {
        @Test func theLeaderKilledDuringABurst_theNextLeaderFinishesIt() async throws {
            let directories = [OperatorCommandTests.temporary("notify-a"), OperatorCommandTests.temporary("notify-b")]
            defer { for directory in directories { try? FileManager.default.removeItem(atPath: directory) } }
            let first = directories[0]
            let setup = try await OffThePool.run { try ClusterLogTests.Setup(dataDirectory: first) }
            let sink = try WebhookSink()
            defer { sink.stop() }
            let arguments = [
                "--outbound-allow", "127.0.0.2/32", "--notify-retry-base-seconds", "0.05", "--public-url",
                "https://status.acme.example",
            ]
            let leader = try ClusterNodeTests.Pair.node(directories[0], setup, arguments)
            defer { leader.stop() }
            #expect(
                await eventually("the first node to lead", within: 20) {
                    try await ClusterLeaderTests.leads(leader) == true
                })
            let other = try ClusterNodeTests.Pair.node(directories[1], setup, arguments)
            defer { other.stop() }
            let owner = APIClient(token: setup.token).with(other)
            let service = try #require(
                try await owner.call("POST", "/api/services", ["name": "API"]).json["id"] as? String)
            for index in 0..<300 {
                let answer = try await owner.call(
                    "POST", "/api/subscribers",
                    ["type": "webhook", "endpoint": sink.url("ok/\(index)"), "contact_email": "ops@acme.example"])
                try #require(answer.status == 201, "\(answer.text)")
            }
            _ = try await owner.call("PUT", "/api/services/\(service)/status", ["status": "partial_outage"])
            await eventually("the burst under way", within: 30) { try await sink.received().count >= 20 }
            kill(leader.process.processIdentifier, SIGKILL)
            leader.process.waitUntilExit()
            let before = try await sink.received().count
            await eventually("every hook told, by the next leader", within: 90) {
                Set(try await sink.received().map(\.path)).count == 300
            }
            #expect(try await ClusterLeaderTests.leads(other) == true)
            let received = try await sink.received()
            var keys: [String: Set<String>] = [:]
            for delivery in received {
                keys[delivery.path, default: []].insert(delivery.headers["idempotency-key"] ?? "")
            }
            #expect(keys.count == 300 && keys.values.allSatisfy { $0.count == 1 })
            let duplicates = received.count - 300
            #expect(duplicates <= 256, "at most the batch in flight is told again")
            print("leader killed after \(before) deliveries of 300: \(duplicates) told twice")
            // The notification is complete on the new leader's node.
            await eventually("nothing pending", within: 30) {
                let metrics = String(decoding: try await other.request("/metrics").body, as: UTF8.self)
                return metrics.contains("statusd_notifications_pending 0")
            }
        }
    }
}
