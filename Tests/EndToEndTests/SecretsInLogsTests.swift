import Foundation
import TestSupport
import Testing

/// What statusd writes to its log, and how it meets a file-size limit.
@Suite struct SecretsInLogsTests {
    /// A run at the most verbose level, with the access log, through every way a secret travels
    /// (a password, a wrong password, session tokens, an API key, an invitation link, a token in a
    /// WebSocket's `auth` message): none of them appears in the log.
    @Test func log_ofAFullRun_carriesNoSecret() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("statusd-secrets-\(UUID()).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let server = try StatusdProcess(arguments: ["--log-level", "trace", "--access-log"], log: log)
        let password = "correct horse battery"
        let (owner, _) = try await AccountTests.signUp("secrets@example.com", on: server)
        #expect(try await owner.call("POST", "/api/organizations", ["slug": "acme", "name": "Acme"]).status == 201)
        let anonymous = APIClient(token: "none").with(server)
        let wrong = try await anonymous.call(
            "POST", "/api/auth/login", ["email": "secrets@example.com", "password": "a wrong password 42"])
        #expect(wrong.status == 401)
        let login = try await anonymous.call(
            "POST", "/api/auth/login", ["email": "secrets@example.com", "password": password])
        let session = try #require(login.json["token"] as? String)
        let key = try #require(
            try await owner.call("POST", "/api/keys", ["name": "ci", "role": "editor"]).json["token"] as? String)
        #expect(
            try await APIClient(token: key).with(server).call("POST", "/api/services", ["name": "API"]).status == 201)
        let invitation = try #require(
            try await owner.call("POST", "/api/team/invite", ["email": "new@example.com", "role": "viewer"])
                .json["token"] as? String)
        #expect(try await anonymous.call("GET", "/api/team/invitations/\(invitation)").status == 200)
        #expect(try await APIClient(token: key + "x").with(server).call("GET", "/api/services").status == 401)
        _ = try await WebSocketTests.run("auth", server, session, "not-a-token")
        #expect(try await owner.call("POST", "/api/auth/logout").status == 204)
        server.stop()  // everything flushed

        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("/api/auth/login"), "the scan reads a real access log: \(text.prefix(500))")
        let secretPart = String(key.split(separator: "_").last ?? "")
        for (name, secret) in [
            ("password", password), ("wrong password", "a wrong password 42"), ("session token", session),
            ("owner's session token", owner.token), ("API key", key), ("API key secret", secretPart),
            ("invitation token", invitation), ("a refused token", "not-a-token"),
        ] {
            #expect(!text.contains(secret), "the log holds the \(name)")
        }
    }

    /// A file-size limit (`ulimit -f`, here `prlimit --fsize`) below a WAL segment: statusd says which
    /// write failed and exits non-zero, instead of dying of SIGXFSZ.
    @Test func fileSizeLimit_isAnError_notASignal() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("statusd-fsize-\(UUID())")
        defer { try? FileManager.default.removeItem(at: data) }
        let process = Process()
        let errors = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = [
            "--fsize=\(512 * 1024)", StatusdProcess.binary.path, "serve", "--port", "0", "--data-dir", data.path,
            "--wal-segment-mib", "1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let message = String(decoding: PipeReader.toEnd(errors.fileHandleForReading), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "not killed by a signal")
        #expect(process.terminationStatus != 0)
        #expect(message.lowercased().contains("too large"), "\(message)")
    }
}
