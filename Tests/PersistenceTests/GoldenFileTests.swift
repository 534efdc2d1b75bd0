import Engine
import Foundation
import Testing

@testable import Persistence

/// Files written by released format versions keep loading forever (invariant 7, docs/ARCHITECTURE.md).
/// `snapshots/wal-v1/` holds a WAL of format version 1 with one record of every kind; regenerate it
/// only for a new version, into a new folder: `STATUSD_WRITE_GOLDEN=1 swift test --filter GoldenFileTests`.
@Suite struct GoldenFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let walV1 = root.appendingPathComponent("snapshots/wal-v1/wal/0000000000000000.wal")

    @Test func walV1_decodesToEveryKindOfRecord() async throws {
        if ProcessInfo.processInfo.environment["STATUSD_WRITE_GOLDEN"] == "1" { try await Self.writeWALV1() }
        let fixture = WALFixture()
        try FileManager.default.createDirectory(atPath: fixture.walPath, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.walV1.path, toPath: fixture.walPath + "/0000000000000000.wal")
        let recovered = try fixture.recover()
        #expect(recovered == SampleRecords.records)
        #expect(recovered.count == SampleRecords.changes.count + SampleRecords.directoryChanges.count)
    }

    /// Writes the version 1 golden WAL: the sample records, in batches of one to three.
    static func writeWALV1() async throws {
        let fixture = WALFixture()
        let (directory, log, _) = try fixture.open()
        var records = SampleRecords.records[...]
        var size = 1
        while !records.isEmpty {
            _ = try await log.append(Array(records.prefix(size)), isolation: #isolation)
            records = records.dropFirst(size)
            size = size % 3 + 1
        }
        log.close()
        directory.close()
        try FileManager.default.createDirectory(
            at: walV1.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: walV1)
        try FileManager.default.copyItem(atPath: try fixture.segments()[0], toPath: walV1.path)
    }
}
