import Foundation
import TestSupport
import Testing

/// statusd serving https itself: a certificate from a CA the test makes, a client that verifies the
/// chain, live feeds over wss and SSE, a certificate replaced and read again on SIGHUP while open
/// connections stay, a broken one refused, and the plain port that only redirects.
@Suite(.sameOnEitherLog) struct TLSTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")

    /// A directory with ca.pem/ca.key and the served server.pem/server.key for 127.0.0.1.
    static func certificates() async throws -> String {
        let directory = OperatorCommandTests.temporary("tls")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (status, text) = try await OffThePool.outcome(
            of: WebSocketTests.python,
            [Self.scripts.appendingPathComponent("certificates.py").path, directory, "127.0.0.1"])
        try #require(status == 0, "\(text)")
        return directory
    }

    @Test func https_liveFeeds_andACertificateReadAgainOnSIGHUP() async throws {
        let directory = try await Self.certificates()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = URL(fileURLWithPath: directory + "/statusd.log")
        let server = try StatusdProcess(
            arguments: [
                "--demo", "--tls-certificate", directory + "/server.pem", "--tls-key", directory + "/server.key",
                "--tls-redirect-port", "0", "--live-heartbeat-seconds", "1",
            ], log: log)
        defer { server.stop() }
        #expect(server.baseURL.scheme == "https")
        let redirectPort = try #require(server.redirectURL?.port)
        let found = try await StatuspageTests.read(
            server, script: "tls_client.py", directory, "\(redirectPort)", "\(server.process.processIdentifier)",
            log.path)
        #expect(found["health"] as? Int == 200)
        #expect(found["hsts"] as? String == "max-age=31536000")
        #expect(found["tls12"] as? Int == 200)
        #expect(found["untrusted"] as? String == "refused", "a client that does not trust the CA refuses")
        #expect(found["wss_first_frame"] as? String != nil)
        #expect(found["sse_status"] as? Int == 200)
        #expect((found["sse_content_type"] as? String)?.hasPrefix("text/event-stream") == true)
        #expect(found["sse_has_data"] as? Bool == true)
        let reloaded = found["after_reload"] as? [String: Any]
        #expect(reloaded?["status"] as? Int == 200)
        #expect(reloaded?["serial_changed"] as? Bool == true, "a new connection sees the new certificate")
        #expect(found["wss_after_reload"] as? String != nil, "the open WebSocket still answers")
        #expect(found["wss_kept_its_certificate"] as? Bool == true)
        #expect(found["sse_after_reload"] as? Bool == true, "the open stream still flows")
        #expect(found["sse_kept_its_certificate"] as? Bool == true)
        let broken = found["after_broken_reload"] as? [String: Any]
        #expect(broken?["status"] as? Int == 200)
        #expect(broken?["same_certificate"] as? Bool == true, "a broken certificate keeps the one served")
        let redirect = found["redirect"] as? [String: Any]
        #expect(redirect?["status"] as? Int == 308)
        #expect(
            redirect?["location"] as? String
                == "https://status.example.test:\(server.baseURL.port ?? 0)/api/organizations?x=1")
        #expect(redirect?["hsts"] == nil || redirect?["hsts"] is NSNull)
        #expect(found["redirect_bad_host"] as? Int == 400)
        #expect(server.process.isRunning, "SIGHUP never ends statusd")
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(text.contains("SIGHUP: serving the certificate with serial"))
        #expect(text.contains("SIGHUP: kept the certificate being served: tls-certificate:"))
    }

    @Test func aKeyEveryoneMayRead_aMissingKey_andACertificateWithoutKey_areRefused() async throws {
        let directory = try await Self.certificates()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificate = directory + "/server.pem"
        let key = directory + "/server.key"
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let open = try CommandLineTests.run(["serve", "--tls-certificate", certificate, "--tls-key", key])
        #expect(open.status != 0)
        #expect(open.stderr.contains("may be read by every user"), "\(open.stderr)")
        let alone = try CommandLineTests.run(["serve", "--tls-certificate", certificate])
        #expect(alone.stderr.contains("--tls-certificate and --tls-key go together"), "\(alone.stderr)")
        let redirectAlone = try CommandLineTests.run(["serve", "--tls-redirect-port", "8081"])
        #expect(redirectAlone.stderr.contains("--tls-redirect-port redirects to https"), "\(redirectAlone.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        // A key of another certificate: readable, well-formed, and refused at start by name.
        try FileManager.default.copyItem(atPath: directory + "/ca.key", toPath: directory + "/other.key")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/other.key")
        let data = OperatorCommandTests.temporary("tls-data")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let mismatched = try CommandLineTests.run([
            "serve", "--port", "0", "--data-dir", data, "--tls-certificate", certificate, "--tls-key",
            directory + "/other.key",
        ])
        #expect(mismatched.status != 0)
        #expect(mismatched.stderr.contains("does not go with the certificate"), "\(mismatched.stderr)")
    }
}
