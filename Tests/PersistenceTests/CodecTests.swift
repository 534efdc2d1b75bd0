import Engine
import Foundation
import NIOCore
import Testing

@testable import Persistence

@Suite struct CodecTests {
    @Test func crc32c_knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        let long = (0..<1000).map { UInt8($0 % 251) }
        let split = long.withUnsafeBytes { bytes in
            CRC32C.checksum(
                UnsafeRawBufferPointer(rebasing: bytes[500...]),
                continuing: CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<500])))
        }
        #expect(split == CRC32C.checksum(long), "continuing over two halves equals one pass")
    }

    @Test(arguments: SampleRecords.records)
    func record_roundTrips(_ record: LogRecord) throws {
        var buffer = ByteBuffer()
        buffer.writeWALRecord(record)
        #expect(try buffer.readWALRecord() == record)
        #expect(buffer.readableBytes == 0)
    }

    /// Changes added after the golden files of version 1 were written (so not among the sample records).
    @Test func laterChanges_roundTrip() throws {
        let changes: [OrgChange] = [
            .historyArchived(incidents: [.random(), .random()], maintenance: [.random()]),
            .historyArchived(incidents: [], maintenance: []),
            .pageStatusChanged(PageStatus(indicator: .major, description: "Partial System Outage")),
            .pageStatusChanged(PageStatus(indicator: .maintenance, description: "Service Under Maintenance")),
            .incidentUpdateEdited(.random(), .random(), body: "Corrected text"),
            .customDomainVerified("status.acme.example"),
            .maintenanceUpdateEdited(.random(), .random(), body: "Corrected text ✓"),
            .commandKeyed(CommandKey(key: "4f1c-retry", fingerprint: "ab12")!, events: 2),
        ]
        for (index, change) in changes.enumerated() {
            let event = OrgEvent(seq: Seq(UInt64(index + 1)), at: SampleRecords.at, by: .system, change: change)
            try record_roundTrips(.organization(SampleRecords.org, event))
        }
    }

    @Test(arguments: SampleRecords.subscriberRecords)
    func subscriberRecord_roundTrips(_ record: LogRecord) throws {
        try record_roundTrips(record)
    }

    @Test func record_isWrittenAtTheOldestVersionThatSaysIt() throws {
        let keyed = OrgEvent(
            seq: Seq(1), at: SampleRecords.at, by: .system,
            change: .commandKeyed(CommandKey(key: "k", fingerprint: "f")!, events: 1))
        let subscribed = SampleRecords.subscriberRecords[3]
        for (record, version) in [
            (SampleRecords.records[0], 1), (.organization(SampleRecords.org, keyed), 2), (subscribed, 3),
        ] {
            var buffer = ByteBuffer()
            buffer.writeWALRecord(record)
            #expect(buffer.getInteger(at: 5, as: UInt8.self) == UInt8(version))
        }
    }

    @Test func record_newerVersion_isRefusedByName() throws {
        var buffer = ByteBuffer()
        buffer.writeWALRecord(SampleRecords.records[0])
        let newer = ByteBuffer.walRecordVersionCurrent + 1
        buffer.setInteger(newer, at: 5)
        do {
            var copy = buffer
            _ = try copy.readWALRecord()
            Issue.record("version \(newer) was read")
        } catch let error as CodecError {
            #expect(error.detail.contains("newer"))
        }
    }

    @Test func record_truncatedAnywhere_throwsAndNeverCrashes() throws {
        var full = ByteBuffer()
        full.writeWALRecord(SampleRecords.records[10])
        for length in 0..<full.readableBytes {
            var cut = full.getSlice(at: 0, length: length)!
            #expect(throws: CodecError.self) { try cut.readWALRecord() }
        }
    }

    /// Found by the `wal-records` fuzz target (its input is kept in Tests/Fuzz/Corpus/wal-records):
    /// a NaN time decoded, then failed its own round trip and trapped in `Date.description`.
    @Test func timeOutsideTheCalendar_isCorruption() throws {
        for seconds in [
            Double.nan, .infinity, -.infinity, 1e300, Date.distantFuture.timeIntervalSinceReferenceDate + 1,
        ] {
            var buffer = ByteBuffer()
            buffer.writeWALInteger(seconds.bitPattern)
            #expect(throws: CodecError.self) { try buffer.readWALDate() }
        }
        var edge = ByteBuffer()
        edge.writeWALDate(.distantFuture)
        #expect(try edge.readWALDate() == .distantFuture)
    }
}
