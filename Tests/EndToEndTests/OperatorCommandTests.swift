import Foundation
import TestSupport
import Testing

/// The operator's commands against real data directories: demo-snapshot, restore, inspect, check-wal,
/// snapshot and backup, with their refusals.
@Suite struct OperatorCommandTests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("statusd-\(name)-\(UUID().uuidString)").path
    }

    static func statusd(_ arguments: String...) throws -> (status: Int32, stdout: String, stderr: String) {
        try CommandLineTests.runCapturing(arguments)
    }

    @Test(.disabled(if: TestLog.onPostgres, "a tool of the local WAL and its data directory"))
    func demoSnapshot_restore_serve_inspect() async throws {
        let folder = Self.temporary("demo")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/demo.lz4"
        #expect(try Self.statusd("demo-snapshot", "--output", file).status == 0)
        let inspected = try Self.statusd("inspect", file)
        #expect(inspected.status == 0)
        #expect(inspected.stdout.contains("checksum ok"))
        #expect(inspected.stdout.contains("demo (org_"))

        let data = folder + "/data"
        #expect(try Self.statusd("restore", file, "--data-dir", data).status == 0)
        let again = try Self.statusd("restore", file, "--data-dir", data)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already holds data"))

        let server = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: data))
        #expect(try await server.request("/api/status/demo").status == 200, "served from the restored snapshot")
        let whileRunning = try Self.statusd("snapshot", "--data-dir", data)
        #expect(whileRunning.status != 0)
        #expect(whileRunning.stderr.contains("in use by another statusd"))
        server.stop()
        let snapshot = try Self.statusd("snapshot", "--data-dir", data)
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        #expect(try Self.statusd("check-wal", "--data-dir", data).stdout.contains("ok: start-up will accept this log"))
    }

    @Test func inspect_damagedSnapshot_failsWithAReason() throws {
        let folder = Self.temporary("inspect")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/demo.lz4"
        _ = try Self.statusd("demo-snapshot", "--output", file)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0x55
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let result = try Self.statusd("inspect", file)
        #expect(result.status != 0)
        #expect(result.stdout.contains("FAILED"))
        #expect(try Self.statusd("inspect", folder + "/missing.lz4").status != 0)
    }

    @Test(.disabled(if: TestLog.onPostgres, "a tool of the local WAL and its data directory"))
    func checkWAL_findsCorruption_andRepairCutsIt() async throws {
        let data = Self.temporary("check")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let server = try StatusdProcess(dataDirectory: URL(fileURLWithPath: data))
        #expect(try await server.request("/health").status == 200)
        kill(server.process.processIdentifier, SIGKILL)  // no final snapshot: the demo stays in the WAL only
        server.process.waitUntilExit()
        #expect(try Self.statusd("check-wal", "--data-dir", data).status == 0)

        let segment = data + "/wal/0000000000000000.wal"
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: segment)))
        bytes[32 + 16 + 10] ^= 0x20  // inside the first batch's records
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        let corrupt = try Self.statusd("check-wal", "--data-dir", data)
        #expect(corrupt.status == 2)
        #expect(corrupt.stdout.contains("CORRUPT") && corrupt.stdout.contains("0000000000000000.wal at byte 32"))

        let start = try StatusdProcess.start(arguments: [], dataDirectory: URL(fileURLWithPath: data))
        #expect(start == nil, "statusd refuses to start on a corrupt log")

        let repaired = try Self.statusd("check-wal", "--data-dir", data, "--repair")
        #expect(repaired.status == 0)
        #expect(repaired.stdout.contains("repaired"))
        #expect(try Self.statusd("check-wal", "--data-dir", data).stdout.contains("ok:"))
    }

    @Test(.disabled(if: TestLog.onPostgres, "a tool of the local WAL and its data directory"))
    func backup_ofALiveServer_restoresToTheSameState() async throws {
        let data = Self.temporary("live")
        let target = Self.temporary("backup")
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: target)
        }
        let server = try StatusdProcess(dataDirectory: URL(fileURLWithPath: data))
        let before = try await server.request("/api/status/demo")
        let backup = try Self.statusd("backup", target, "--data-dir", data)
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(FileManager.default.fileExists(atPath: target + "/archive"), "the history archive is copied too")
        #expect(try Self.statusd("backup", target, "--data-dir", data).status != 0, "never into an existing folder")
        let copy = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: target))
        let after = try await copy.request("/api/status/demo")
        #expect(after.headers["etag"] == before.headers["etag"])
        #expect(after.body == before.body)
    }
}

/// `statusd org create`: an organization, its owner and a key shown once; refusals for a taken slug,
/// bad input and a running server.
@Suite struct OrgCreateCommandTests {
    @Test func orgCreate_printsAnOwnerKeyOnce_andTheServerServesTheOrganization() async throws {
        let data = OperatorCommandTests.temporary("org")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let created = try OperatorCommandTests.statusd(
            "org", "create", "--slug", "acme", "--name", "Acme Inc", "--owner-email", "Ops@Acme.example", "--data-dir",
            data)
        #expect(created.status == 0, "\(created.stderr)")
        let token =
            created.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        #expect(
            token.hasPrefix("sk_key_") && token.count == 3 + 24 + 1 + 52, "sk_<key id>_<52-character secret>: \(token)")

        let taken = try OperatorCommandTests.statusd(
            "org", "create", "--slug", "acme", "--name", "Again", "--owner-email", "ops@acme.example", "--data-dir",
            data)
        #expect(taken.status != 0)
        #expect(taken.stderr.contains("--slug") && taken.stderr.contains("taken"))
        let reserved = try OperatorCommandTests.statusd(
            "org", "create", "--slug", "admin", "--name", "X", "--owner-email", "x@example.com", "--data-dir", data)
        #expect(reserved.stderr.contains("reserved"))
        let badEmail = try OperatorCommandTests.statusd(
            "org", "create", "--slug", "okay", "--name", "X", "--owner-email", "nobody", "--data-dir", data)
        #expect(badEmail.status != 0 && badEmail.stderr.contains("email"))

        let server = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: data))
        let (status, _, body) = try await server.request("/api/status/acme")
        #expect(status == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("Acme Inc"))
        let whileRunning = try OperatorCommandTests.statusd(
            "org", "create", "--slug", "other", "--name", "O", "--owner-email", "o@example.com", "--data-dir", data)
        #expect(whileRunning.status != 0 && whileRunning.stderr.contains("in use"))
    }

    @Test func orgCreate_withAPasswordOnStandardInput_letsTheOwnerLogIn() async throws {
        let data = OperatorCommandTests.temporary("org-password")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let process = Process()
        process.executableURL = StatusdProcess.binary
        process.arguments = [
            "org", "create", "--slug", "acme", "--name", "Acme", "--owner-email", "boss@acme.example",
            "--owner-password-stdin", "--data-dir", data,
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["STATUSD_TEST_KDF_LOG2": "10"].merging(try TestLog.environment(forDataDirectory: data)) { $1 }
        ) { $1 }
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("the boss's long password\n".utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let server = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: data))
        let login = try await APIClient(token: "none").with(server).call(
            "POST", "/api/auth/login", ["email": "boss@acme.example", "password": "the boss's long password"])
        #expect(login.status == 200, "\(login.text)")
        let boss = APIClient(token: login.json["token"] as? String ?? "").with(server)
        #expect(try await boss.call("GET", "/api/organizations/current").json["role"] as? String == "owner")
    }
}
