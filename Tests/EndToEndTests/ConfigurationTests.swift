import Foundation
import Testing

/// Settings from a configuration file and `STATUSD_*` environment variables, under the command line.
@Suite struct ConfigurationTests {
    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("statusd-\(UUID().uuidString).conf")
            .path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func fileThenEnvironmentThenCommandLine() async throws {
        let file = try Self.temporaryFile("# a comment\ncache-max-age = 41\nsignup = off  # no sign-ups\ndemo = true\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        // The file says 41, the environment 42, and nothing on the command line: the environment wins.
        let server = try StatusdProcess(
            arguments: ["--config", file], environment: ["STATUSD_CACHE_MAX_AGE": "42"])
        let page = try await server.request("/api/status/demo")
        #expect(page.status == 200, "demo = true from the file")
        #expect(page.headers["cache-control"]?.contains("max-age=42") == true, "\(page.headers)")
        let signup = try await APIClient(token: "none").with(server).call(
            "POST", "/api/auth/signup", ["email": "a@example.com", "password": "long enough pw"])
        #expect(signup.status == 403, "signup = off from the file")
        server.stop()
        // The command line wins over both.
        let again = try StatusdProcess(
            arguments: ["--config", file, "--cache-max-age", "43"], dataDirectory: server.dataDirectory,
            environment: ["STATUSD_CACHE_MAX_AGE": "42"])
        #expect(try await again.request("/api/status/demo").headers["cache-control"]?.contains("max-age=43") == true)
    }

    @Test func unknownOrBadSettings_areOneLineErrors() throws {
        let typo = try Self.temporaryFile("prot = 8080\n")
        defer { try? FileManager.default.removeItem(atPath: typo) }
        let fromFile = try CommandLineTests.run(["serve", "--config", typo])
        #expect(fromFile.status != 0 && fromFile.stderr.contains("\(typo):1") && fromFile.stderr.contains("prot"))
        let missing = try CommandLineTests.run(["serve", "--config", "/nonexistent/statusd.conf"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/statusd.conf"))
        let environment = try CommandLineTests.run(["serve"], environment: ["STATUSD_PROT": "1"])
        #expect(environment.status != 0 && environment.stderr.contains("STATUSD_PROT"))
        let flag = try CommandLineTests.run(["serve"], environment: ["STATUSD_DEMO": "maybe"])
        #expect(flag.status != 0 && flag.stderr.contains("true or false"))
        let value = try CommandLineTests.run(["serve"], environment: ["STATUSD_FSYNC": "sometimes"])
        #expect(value.status != 0 && value.stderr.contains("--fsync"))
    }
}
