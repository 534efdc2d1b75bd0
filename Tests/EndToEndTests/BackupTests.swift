import Foundation
import TestSupport
import Testing

/// The backup runbook (docs/DEPLOY.md "Backups") done as an operator would, under write load: a backup
/// of the running server, checked with `check-wal`, served as it is, holds every write acknowledged
/// before the backup began, once; writes that raced it are there at most once.
@Suite(.disabled(if: TestLog.onPostgres, "a backup of the local WAL and its data directory"))
struct BackupTests {
    @Test func backupUnderWriteLoad_holdsEveryWriteAcknowledgedBeforeItBegan() async throws {
        let data = OperatorCommandTests.temporary("backup-live")
        let target = OperatorCommandTests.temporary("backup-copy")
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: target)
        }
        let token = try await OffThePool.run { try TwoTenants.createOrganization("acme", data: data) }
        let server = try StatusdProcess(
            arguments: ["--quotas", "active_incidents=100000"], dataDirectory: URL(fileURLWithPath: data))
        let load = WriteLoad(targets: [server], token: token)
        load.start(writersPerTarget: 4)
        #expect(await load.wait { $0.filter { $0.status == 201 }.count >= 50 })

        let backupBegan = load.elapsed
        let backup = try await OffThePool.run {
            try CommandLineTests.runCapturing(["backup", target, "--data-dir", data])
        }
        #expect(backup.status == 0, "\(backup.stderr)")
        let afterBackup = load.all.count
        #expect(await load.wait { $0.dropFirst(afterBackup).filter { $0.status == 201 }.count >= 20 })
        await load.stop()
        server.stop()

        let check = try await OffThePool.run { try CommandLineTests.runCapturing(["check-wal", "--data-dir", target]) }
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        let restored = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: target))
        defer { restored.stop() }
        let names = try await WriteLoad.incidentNames(on: restored, token: token)
        let before = load.all.filter { $0.status == 201 && $0.startedAt + $0.seconds < backupBegan }
        #expect(before.count >= 50)
        let missing = before.filter { names[$0.name] != 1 }.map(\.name)
        #expect(missing.isEmpty, "acknowledged before the backup began, not in it once: \(missing.prefix(10))")
        let twice = names.filter { $0.value > 1 }.map(\.key)
        #expect(twice.isEmpty, "present twice: \(twice.prefix(10))")
        let racing = load.all.filter { $0.startedAt + $0.seconds >= backupBegan && names[$0.name] == 1 }.count
        print(
            "backup under load: \(before.count) writes acknowledged before it, all in it; \(racing) that raced it in it too"
        )
    }

    @Test func aBackup_copiesTheDeliveryJournal_andTheArchive() async throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("snapshots/data-2026-12-03").path
        let data = OperatorCommandTests.temporary("backup-golden")
        let target = OperatorCommandTests.temporary("backup-golden-copy")
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: target)
        }
        try FileManager.default.copyItem(atPath: golden, toPath: data)
        let backup = try await OffThePool.run {
            try CommandLineTests.runCapturing(["backup", target, "--data-dir", data])
        }
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("and the delivery journal"), "\(backup.stdout)")
        #expect(
            FileManager.default.contents(atPath: target + "/deliveries/journal")
                == FileManager.default.contents(atPath: data + "/deliveries/journal"))
        let archives = try FileManager.default.contentsOfDirectory(atPath: target + "/archive")
        #expect(archives.count == 1)
        let check = try await OffThePool.run { try CommandLineTests.runCapturing(["check-wal", "--data-dir", target]) }
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
    }
}
