import Foundation
import TestSupport
import Testing

/// Settings from a configuration file and `STATUSD_*` environment variables, under the command line.
@Suite(.sameOnEitherLog) struct ConfigurationTests {
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
        // The data directory outlives both processes (see sessionSecret_signsSessions_withoutAKeyFile).
        let data = URL(fileURLWithPath: OperatorCommandTests.temporary("file-then-environment"))
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try StatusdProcess(
            arguments: ["--config", file], dataDirectory: data, environment: ["STATUSD_CACHE_MAX_AGE": "42"])
        let page = try await server.request("/api/status/demo")
        #expect(page.status == 200, "demo = true from the file")
        #expect(page.headers["cache-control"]?.contains("max-age=42") == true, "\(page.headers)")
        let signup = try await APIClient(token: "none").with(server).call(
            "POST", "/api/auth/signup", ["email": "a@example.com", "password": "long enough pw"])
        #expect(signup.status == 403, "signup = off from the file")
        server.stop()
        // The command line wins over both.
        let again = try StatusdProcess(
            arguments: ["--config", file, "--cache-max-age", "43"], dataDirectory: data,
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

    /// Every option `serve --help` shows can come from the environment (and so from a file): the
    /// setting list is written out in `ServeOptions`, and this holds it to the options. All at once:
    /// an unknown name is refused before any value is parsed, and names the variable.
    @Test func everyOptionOfServe_isASetting() throws {
        let help = try CommandLineTests.runCapturing(["serve", "--help"])
        var environment: [String: String] = [:]
        for match in help.stdout.matches(of: /--(no-)?([a-z][a-z0-9-]+)( <)?/) {
            let name = String(match.output.2)
            guard !["help", "config", "version"].contains(name) else { continue }
            let variable = "STATUSD_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
            environment[variable] = match.output.3 == nil ? "false" : "x"
        }
        #expect(environment.count >= 30, "\(help.stdout)")
        let run = try CommandLineTests.run(["serve", "--port", "-1"], environment: environment)
        #expect(run.status != 0 && !run.stderr.contains("is not a setting"), "\(run.stderr)")
    }

    /// A secret comes from the file or the environment only: on the command line it is refused with a
    /// sentence saying where it goes, and it never appears in --help.
    @Test func secret_onTheCommandLine_isRefused_andNamesWhereItGoes() throws {
        for arguments in [["serve", "--session-secret", "abc"], ["serve", "--session-secret=abc"]] {
            let run = try CommandLineTests.run(arguments)
            #expect(run.status != 0, "\(arguments)")
            #expect(
                run.stderr.contains("STATUSD_SESSION_SECRET") && run.stderr.contains("configuration file"),
                "\(run.stderr)")
            #expect(!run.stderr.contains("abc"), "the refusal does not repeat the secret")
        }
        let help = try CommandLineTests.runCapturing(["serve", "--help"])
        #expect(!help.stdout.contains("session-secret"))
        let data = OperatorCommandTests.temporary("short-secret")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let short = try CommandLineTests.run(
            ["serve", "--port", "0", "--data-dir", data], environment: ["STATUSD_SESSION_SECRET": "too short"])
        #expect(short.status != 0 && short.stderr.contains("at least 32 characters"), "\(short.stderr)")
    }

    /// `session-secret` signs sessions instead of a key file in the data directory: a session outlives
    /// the loss of that directory's secrets, and another secret refuses it.
    @Test func sessionSecret_signsSessions_withoutAKeyFile() async throws {
        let secret = String(repeating: "0123456789abcdef", count: 4)
        let file = try Self.temporaryFile("session-secret = \(secret)\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("statusd-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        // One data directory for the three processes, removed at the end (a process that made its own would
        // remove it when released, which Swift may do right after its last use, under a later process).
        let data = URL(fileURLWithPath: OperatorCommandTests.temporary("session-secret"))
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try StatusdProcess(arguments: ["--config", file], dataDirectory: data, log: log)
        let (person, _) = try await AccountTests.signUp("secret@example.com", on: server)
        #expect(try await person.call("GET", "/api/auth/me").status == 200)
        let keyFile = server.dataDirectory.appendingPathComponent("secrets/session.key").path
        #expect(!FileManager.default.fileExists(atPath: keyFile), "no per-node key file")
        server.stop()
        #expect(!(try String(contentsOf: log, encoding: .utf8)).contains(secret), "never logged")

        let same = try StatusdProcess(
            arguments: [], dataDirectory: data, environment: ["STATUSD_SESSION_SECRET": secret])
        #expect(try await person.with(same).call("GET", "/api/auth/me").status == 200, "the same secret")
        same.stop()
        let other = try StatusdProcess(
            arguments: [], dataDirectory: data, environment: ["STATUSD_SESSION_SECRET": String(secret.reversed())])
        #expect(try await person.with(other).call("GET", "/api/auth/me").status == 401, "another secret")
        other.stop()
    }

    @Test func configCheck_listsEveryProblem_andPassesAGoodFile() throws {
        let data = OperatorCommandTests.temporary("config-check")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let good = try Self.temporaryFile(
            "port = 8081\nfsync = interval\ndata-dir = \(data)\nsession-secret = s3cret-enough\n")
        defer { try? FileManager.default.removeItem(atPath: good) }
        let passed = try CommandLineTests.runCapturing(["config", "check", "--config", good])
        #expect(passed.status == 0 && passed.stdout.contains("no problems"), "\(passed.stderr)")
        #expect(!passed.stdout.contains("s3cret") && !passed.stderr.contains("s3cret"), "a secret is never printed")

        // Four mistakes of four kinds at once, and one from the environment: all five are named.
        let bad = try Self.temporaryFile(
            "cors-origins = https://a.example/\nsmtp-from = status@example.com\nsmtp-ca-file = /nonexistent/ca.pem\n"
                + "data-dir = \(good)\n")
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let failed = try CommandLineTests.runCapturing(
            ["config", "check", "--config", bad], environment: ["STATUSD_SESSION_HOURS": "0"])
        #expect(failed.status == 1)
        for named in [
            "--cors-origins", "--smtp-from needs --smtp-url", "--session-hours", "/nonexistent/ca.pem",
            "\(good) is not a directory",
        ] {
            #expect(failed.stderr.contains(named), "\(named) in: \(failed.stderr)")
        }
        #expect(failed.stderr.contains("5 problem(s)"), "\(failed.stderr)")
        // serve refuses the same settings with the same list.
        let serve = try CommandLineTests.run(["serve", "--config", bad], environment: ["STATUSD_SESSION_HOURS": "0"])
        #expect(
            serve.status != 0 && serve.stderr.contains("--cors-origins") && serve.stderr.contains("--session-hours"))
        let unreadable = try CommandLineTests.runCapturing(["config", "check", "--config", "/nonexistent/statusd.conf"])
        #expect(unreadable.status == 1 && unreadable.stderr.contains("/nonexistent/statusd.conf"))
    }

    /// Every statusd configuration file the repository ships (`docs/deploy/statusd*.conf`; the others
    /// there are other programs') passes the check (with a data directory of the test's own in place
    /// of /var/lib/statusd).
    @Test func everyShippedConfiguration_passesTheCheck() throws {
        let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/deploy")
        let files = try FileManager.default.contentsOfDirectory(atPath: deploy.path).filter {
            $0.hasPrefix("statusd") && $0.hasSuffix(".conf")
        }
        #expect(!files.isEmpty)
        let data = OperatorCommandTests.temporary("config-shipped")
        defer { try? FileManager.default.removeItem(atPath: data) }
        for file in files {
            let checked = try CommandLineTests.runCapturing(
                ["config", "check", "--config", deploy.appendingPathComponent(file).path],
                environment: ["STATUSD_DATA_DIR": data])
            #expect(checked.status == 0, "\(file): \(checked.stderr)")
        }
    }
}

/// The live connection limit follows the process's open-file limit when not set (each live connection
/// is an open file: systemd's LimitNOFILE, or `ulimit -n`).
@Suite(.sameOnEitherLog) struct LiveLimitTests {
    @Test func theLiveConnectionLimit_defaultsFromTheOpenFileLimit() async throws {
        let data = OperatorCommandTests.temporary("nofile")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = [
            "--nofile=1600:1600", StatusdProcess.binary.path, "serve", "--port", "0", "--data-dir", data,
            "--wal-segment-mib", "1",
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        // statusd logs the limit before it listens: read its log until that line.
        let line = try await OffThePool.run { () -> String in
            var text = ""
            while let chunk = PipeReader.next(errors.fileHandleForReading) {
                text += String(decoding: chunk, as: UTF8.self)
                if let found = text.split(separator: "\n").first(where: { $0.contains("live connections:") }) {
                    return String(found)
                }
            }
            return text
        }
        #expect(line.contains("at most 1100 (the open-file limit less 500)"), "\(line)")
    }
}
