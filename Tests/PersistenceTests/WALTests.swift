import Engine
import Foundation
import Logging
import Synchronization
import Testing

@testable import Persistence

/// The write-ahead log: appends survive reopening, group commit keeps order, damage is told apart.
@Suite struct WALTests {
    @Test func append_thenReopen_replaysEveryRecordInOrder() async throws {
        let fixture = WALFixture()
        let records = serviceRecords(50)
        try await fixture.write(records)
        #expect(try fixture.recover() == records)
        try await fixture.write(serviceRecords(5, from: 51))
        #expect(try fixture.recover().count == 55, "appends continue after the recovered tail")
    }

    @Test(arguments: [0, 1, 4095, 4096, 4097, 8191, 12_288, 20_000])
    func lastNonZeroOffset_findsTheLastNonZeroByte_acrossBlockEdges(length: Int) {
        var bytes = [UInt8](repeating: 0, count: length)
        #expect(WALSegmentBytes.lastNonZeroOffset(in: bytes) == nil, "all zeros")
        let offsets = [0, length / 2, length - 4097, length - 4096, length - 1].filter { (0..<length).contains($0) }
        for offset in offsets {
            bytes[offset] = 0x5A
            #expect(WALSegmentBytes.lastNonZeroOffset(in: bytes) == bytes.lastIndex { $0 != 0 }, "set at \(offset)")
        }
    }

    @Test func concurrentAppends_areGroupCommitted_withGapFreePositions() async throws {
        let fixture = WALFixture()
        fixture.segmentBytes = 4 << 20
        let (directory, log, _) = try fixture.open()
        let positions = try await withThrowingTaskGroup(of: LogPosition.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await log.append(
                        serviceRecords(1, org: .random(), from: 1 + UInt64(index) * 0), isolation: #isolation)
                }
            }
            return try await group.reduce(into: [LogPosition]()) { $0.append($1) }
        }
        log.close()
        directory.close()
        #expect(
            Set(positions) == Set((1...200).map { LogPosition(UInt64($0)) }), "each append got its own end position")
        let (starts, _) = try fixture.batchOffsets(of: try fixture.segments()[0])
        #expect(starts.count < 200, "appends waiting together share a batch (\(starts.count) batches)")
        #expect(try fixture.recover().count == 200)
    }

    @Test func smallSegments_roll_andRecoverAcrossThem() async throws {
        let fixture = WALFixture()
        fixture.segmentBytes = 16 << 10
        let records = serviceRecords(400)
        try await fixture.write(records)
        let segments = try fixture.segments()
        #expect(segments.count > 3)
        #expect(try fixture.recover() == records)
        #expect(!FileManager.default.fileExists(atPath: fixture.walPath + "/spare.tmp.x"))
    }

    /// Damages the last batch of the log in every way a torn write can: cut short at each offset,
    /// or zeroed from each offset to its end.
    @Test(arguments: ["truncate", "zero"])
    func tornTail_atEveryByteOffsetOfTheLastBatch_isDroppedAsAUnit(_ damage: String) async throws {
        let fixture = WALFixture()
        let records = serviceRecords(6)
        try await fixture.write(records)
        let segment = try fixture.segments()[0]
        let pristine = try fixture.bytes(of: segment)
        let (starts, end) = try fixture.batchOffsets(of: segment)
        let last = try #require(starts.last)
        for cut in last..<end {
            var damaged = pristine
            if damage == "truncate" {
                damaged.removeLast(damaged.count - cut)
            } else {
                for index in cut..<end { damaged[index] = 0 }
            }
            try fixture.overwrite(segment, with: damaged)
            let recovered = try fixture.recover()
            #expect(recovered == Array(records.dropLast()), "cut at \(cut)")
            #expect(
                FileManager.default.fileExists(atPath: segment + ".broken") == (cut < end && damaged != pristine)
                    || cut == last)
            // After the repair the log takes appends again where the torn batch was.
            try await fixture.write([records[records.count - 1]])
            #expect(try fixture.recover() == records, "cut at \(cut): the repaired log continues")
            try fixture.overwrite(segment, with: pristine)
        }
    }

    @Test func flippedByte_inAnEarlierBatch_isRefusedWithFileAndOffset() async throws {
        let fixture = WALFixture()
        try await fixture.write(serviceRecords(4))
        let segment = try fixture.segments()[0]
        let pristine = try fixture.bytes(of: segment)
        let (starts, _) = try fixture.batchOffsets(of: segment)
        for index in starts[1]..<starts[2] {
            var damaged = pristine
            damaged[index] ^= 0x40
            try fixture.overwrite(segment, with: damaged)
            do {
                _ = try fixture.recover()
                Issue.record("a flip at byte \(index) was not refused")
            } catch let error as PersistenceError {
                #expect(error.code == .corrupt, "byte \(index)")
                #expect(error.path == segment)
                #expect(error.offset == starts[1], "names the damaged batch's offset")
                #expect(error.detail.contains("check-wal"))
            }
        }
    }

    @Test func flippedByte_inAnEarlierSegment_isCorruption() async throws {
        let fixture = WALFixture()
        fixture.segmentBytes = 16 << 10
        try await fixture.write(serviceRecords(300))
        let first = try fixture.segments()[0]
        var bytes = try fixture.bytes(of: first)
        let (starts, _) = try fixture.batchOffsets(of: first)
        bytes[starts.last! + 20] ^= 1
        try fixture.overwrite(first, with: bytes)
        #expect(throws: PersistenceError.self) { try fixture.recover() }
    }

    @Test func missingSegment_isCorruption() async throws {
        let fixture = WALFixture()
        fixture.segmentBytes = 16 << 10
        try await fixture.write(serviceRecords(300))
        let segments = try fixture.segments()
        try FileManager.default.removeItem(atPath: segments[1])
        do {
            _ = try fixture.recover()
            Issue.record("a missing segment was not noticed")
        } catch let error as PersistenceError {
            #expect(error.detail.contains("missing"))
        }
    }

    @Test func newerSegmentVersion_isRefusedByName() async throws {
        let fixture = WALFixture()
        try await fixture.write(serviceRecords(2))
        let segment = try fixture.segments()[0]
        var bytes = try fixture.bytes(of: segment)
        bytes[8] = 9
        try fixture.overwrite(segment, with: bytes)
        do {
            _ = try fixture.recover()
            Issue.record("a newer version was accepted")
        } catch let error as PersistenceError {
            #expect(error.code == .unsupportedVersion(found: 9, supported: 1))
        }
    }

    @Test func dataDirectory_isHeldByOneProcessAtATime() throws {
        let fixture = WALFixture()
        let first = try DataDirectory.open(fixture.path)
        #expect(DataDirectory.isLocked(fixture.path))
        do {
            _ = try DataDirectory.open(fixture.path)
            Issue.record("a second open took a held directory")
        } catch let error as PersistenceError {
            #expect(error.code == .locked)
            #expect(error.detail.contains("pid \(getpid())"), "names the holder: \(error.detail)")
        }
        first.close()
        #expect(!DataDirectory.isLocked(fixture.path))
        let again = try DataDirectory.open(fixture.path)
        again.close()
    }

    @Test func failedWrite_failsThatAppendAndEveryLaterOne_forGood() async throws {
        let fixture = WALFixture()
        let (directory, log, _) = try fixture.open()
        FileFaults.install([.init([.write], pathContains: ".wal", after: 2, errno: EIO)], under: fixture.path)
        defer { FileFaults.removeAll(under: fixture.path) }
        _ = try await log.append(serviceRecords(1), isolation: #isolation)
        _ = try await log.append(serviceRecords(1, from: 2), isolation: #isolation)
        await #expect(throws: PersistenceError.self) {
            _ = try await log.append(serviceRecords(1, from: 3), isolation: #isolation)
        }
        await #expect(throws: PersistenceError.self) {
            _ = try await log.append(serviceRecords(1, from: 4), isolation: #isolation)
        }
        #expect(log.failure?.code == .logFailed)
        log.close()
        directory.close()
        FileFaults.removeAll(under: fixture.path)
        #expect(try fixture.recover().count == 2, "what was acknowledged is there, nothing else")
    }

    @Test(arguments: [FsyncPolicy.always, .interval(.milliseconds(5)), .none])
    func everyPolicy_acknowledgesAndRecovers(_ policy: FsyncPolicy) async throws {
        let fixture = WALFixture()
        let records = serviceRecords(20)
        try await fixture.write(
            records, configuration: WALConfiguration(fsync: policy, segmentBytesMax: fixture.segmentBytes))
        #expect(try fixture.recover() == records)
    }

    @Test func appendOverTheLimit_isRefused_andTheLogGoesOn() async throws {
        let fixture = WALFixture()
        let (directory, log, _) = try fixture.open()
        let huge = String(repeating: "x", count: fixture.configuration.appendBytesMax)
        let service = Service(
            id: .random(), name: huge, description: "", status: .operational, statusReason: .created, groupID: nil,
            position: 0, createdAt: SampleRecords.at, updatedAt: SampleRecords.at)
        let record = LogRecord.organization(
            SampleRecords.org,
            OrgEvent(seq: Seq(1), at: SampleRecords.at, by: .system, change: .serviceCreated(service)))
        await #expect(throws: PersistenceError.self) { _ = try await log.append([record], isolation: #isolation) }
        _ = try await log.append(serviceRecords(1), isolation: #isolation)
        log.close()
        directory.close()
    }
}
