import Foundation
import Testing

/// The proxy way: nginx with the repository's `docs/deploy/nginx.conf` in front of statusd, TLS at
/// nginx, a WebSocket and an SSE stream through it, and the client's address as statusd sees it
/// through `--trusted-proxies` (`Scripts/proxy_client.py` renders the file and runs nginx).
@Suite(.sameOnEitherLog) struct ProxyTests {
    static let site = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/deploy/nginx.conf").path

    @Test func nginxInFront_https_liveFeeds_andTheClientsAddress() async throws {
        let directory = try await TLSTests.certificates()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = URL(fileURLWithPath: directory + "/statusd.log")
        let server = try StatusdProcess(
            arguments: [
                "--demo", "--access-log", "--trusted-proxies", "127.0.0.1/32", "--live-max-per-address", "1",
                "--live-heartbeat-seconds", "60",
            ], log: log)
        defer { server.stop() }
        let found = try await StatuspageTests.read(server, script: "proxy_client.py", Self.site, directory, log.path)
        #expect(found["health"] as? Int == 200)
        #expect(found["hsts"] as? String == "max-age=31536000")
        #expect(found["summary"] as? Int == 200)
        #expect(
            found["client_seen"] as? String == "127.0.0.5",
            "statusd sees the client nginx saw, not nginx, nor what the client claimed")
        #expect(found["wss_first_frame"] as? String != nil, "the WebSocket upgrade passes nginx")
        #expect(found["second_client_admitted"] as? Bool == true)
        #expect(found["same_client_refused"] as? Bool == true, "per-client limits count the client behind nginx")
        #expect(found["sse_status"] as? Int == 200)
        #expect(found["sse_first_data"] as? Bool == true, "the stream's first event passes unbuffered")
        #expect(found["redirect"] as? [AnyHashable] == [308, "https://status.example.com/status/demo"])
    }
}
