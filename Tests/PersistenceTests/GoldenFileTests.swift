import Engine
import Foundation
import HashTreeCollections
import Testing

@testable import Persistence

/// Files written by released format versions keep loading forever (invariant 7, docs/ARCHITECTURE.md).
/// `snapshots/wal-v1/` holds a WAL of format version 1 with one record of every kind, `wal-v2/`,
/// `snapshot-v3/`, `wal-v3/` and `snapshot-v4/` what later versions added; never regenerate a released file: a new version gets new
/// files (write them with `STATUSD_WRITE_GOLDEN=1 swift test --filter GoldenFileTests`, then remove the
/// older ones the run rewrote from the diff).
@Suite struct GoldenFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let walV1 = root.appendingPathComponent("snapshots/wal-v1/wal/0000000000000000.wal")
    static let walV2 = root.appendingPathComponent("snapshots/wal-v2/wal/0000000000000000.wal")
    static let snapshotV3 = root.appendingPathComponent("snapshots/snapshot-v3/snapshot-0000000000000007.lz4")
    static let walV3 = root.appendingPathComponent("snapshots/wal-v3/wal/0000000000000000.wal")
    static let snapshotV4 = root.appendingPathComponent("snapshots/snapshot-v4/snapshot-000000000000000f.lz4")

    @Test func walV1_decodesToEveryKindOfRecord() async throws {
        if Self.writing { try await Self.writeWAL(SampleRecords.records, to: Self.walV1) }
        let recovered = try Self.recover(Self.walV1)
        #expect(recovered == SampleRecords.records)
        #expect(recovered.count == SampleRecords.changes.count + SampleRecords.directoryChanges.count)
    }

    /// Record version 2 (a keyed command) beside version 1 records, and snapshot version 3 (the keyed
    /// commands an organization remembers).
    @Test func walV2_andSnapshotV3_decodeToTheKeyedCommand() async throws {
        var keyed = OrgState(id: SampleRecords.id("org", "2"))
        for case .organization(_, let event) in SampleRecords.keyedRecords { keyed.evolve(event) }
        let capture = SnapshotCapture(
            replayFrom: LogPosition(7), logEnd: LogPosition(9), directory: SnapshotTests.sampleDirectory,
            organizations: [SnapshotTests.sampleOrg, keyed])
        if Self.writing {
            try await Self.writeWAL(SampleRecords.keyedRecords, to: Self.walV2)
            try SnapshotStore(path: Self.snapshotV3.deletingLastPathComponent().path).write(capture)
        }
        #expect(try Self.recover(Self.walV2) == SampleRecords.keyedRecords)
        let loaded = try SnapshotStore.read(Self.snapshotV3.path)
        #expect(loaded.organizations == capture.organizations)
        #expect(loaded.organizations[1].keyedCommands["0d5c6a1e-retry-safe"]?.events.count == 1)
    }

    /// Record version 3 (subscribers, subscription settings, notices) and snapshot version 4 (the
    /// subscribers, settings and pending notices an organization holds).
    @Test func walV3_andSnapshotV4_decodeToSubscribersAndNotices() async throws {
        var told = OrgState(id: SampleRecords.id("org", "3"))
        for case .organization(_, let event) in SampleRecords.subscriberRecords { told.evolve(event) }
        let capture = SnapshotCapture(
            replayFrom: LogPosition(15), logEnd: LogPosition(15), directory: SnapshotTests.sampleDirectory,
            organizations: [SnapshotTests.sampleOrg, told])
        if Self.writing {
            try await Self.writeWAL(SampleRecords.subscriberRecords, to: Self.walV3)
            try SnapshotStore(path: Self.snapshotV4.deletingLastPathComponent().path).write(capture)
        }
        #expect(try Self.recover(Self.walV3) == SampleRecords.subscriberRecords)
        let loaded = try SnapshotStore.read(Self.snapshotV4.path)
        #expect(loaded.organizations == capture.organizations)
        let state = loaded.organizations[1]
        #expect(state.subscribers.count == 1)
        #expect(state.subscribers[SampleRecords.id("sub", "1")]?.signingSecret?.count == 32)
        #expect(state.subscriptionSettings.channels == [.email, .webhook, .discord])
        #expect(state.pendingNotices.keys.map(\.rawValue).sorted() == [12, 13, 16, 17, 18, 20])
        #expect(state.remindedWindows[SampleRecords.id("mnt", "9")] == SampleRecords.at + 7_200)
        #expect(state.activeSubscribers[.webhook] == 1)
    }

    static var writing: Bool { ProcessInfo.processInfo.environment["STATUSD_WRITE_GOLDEN"] == "1" }

    static func recover(_ golden: URL) throws -> [LogRecord] {
        let fixture = WALFixture()
        try FileManager.default.createDirectory(atPath: fixture.walPath, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: golden.path, toPath: fixture.walPath + "/0000000000000000.wal")
        return try fixture.recover()
    }

    /// Writes a golden WAL: `records`, in batches of one to three.
    static func writeWAL(_ all: [LogRecord], to golden: URL) async throws {
        let fixture = WALFixture()
        let (directory, log, _) = try fixture.open()
        var records = all[...]
        var size = 1
        while !records.isEmpty {
            _ = try await log.append(Array(records.prefix(size)), isolation: #isolation)
            records = records.dropFirst(size)
            size = size % 3 + 1
        }
        log.close()
        directory.close()
        try FileManager.default.createDirectory(
            at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: golden)
        try FileManager.default.copyItem(atPath: try fixture.segments()[0], toPath: golden.path)
    }
}
