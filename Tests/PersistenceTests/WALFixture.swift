import Engine
import Foundation
import Logging

@testable import Persistence

/// A temporary data directory with helpers to open its log, write records and damage its files.
final class WALFixture {
    let path: String
    var segmentBytes = 64 << 10

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("statusd-wal-\(UUID().uuidString)").path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var configuration: WALConfiguration { WALConfiguration(fsync: .always, segmentBytesMax: segmentBytes) }

    /// Opens the directory's log, returning it with the records recovered.
    func open(_ configuration: WALConfiguration? = nil) throws -> (DataDirectory, FileEventLog, [LogRecord]) {
        let directory = try DataDirectory.open(path)
        var records: [LogRecord] = []
        do {
            let log = try FileEventLog.open(
                directory, configuration: configuration ?? self.configuration, logger: Logger(label: "test")
            ) {
                record, _ in records.append(record)
            }
            return (directory, log, records)
        } catch {
            directory.close()
            throw error
        }
    }

    /// Recovers and closes again; the records, or the error recovery threw.
    func recover() throws -> [LogRecord] {
        let (directory, log, records) = try open()
        log.close()
        directory.close()
        return records
    }

    /// Appends `records`, one append each, and closes the log.
    func write(_ records: [LogRecord], configuration: WALConfiguration? = nil) async throws {
        let (directory, log, _) = try open(configuration)
        for record in records { _ = try await log.append([record], isolation: #isolation) }
        log.close()
        directory.close()
    }

    var walPath: String { path + "/wal" }

    func segments() throws -> [String] {
        try WALFiles.segments(in: walPath).map { walPath + "/" + $0.0 }
    }

    func bytes(of file: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: file))) }

    func overwrite(_ file: String, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file))
    }

    /// Offsets where each batch of a segment starts, and where the batches end.
    func batchOffsets(of file: String) throws -> (starts: [Int], end: Int) {
        let segment = WALSegmentBytes(
            bytes: try bytes(of: file), path: file, batchBytesMax: configuration.batchBytesMax)
        var offset = WALFormat.segmentHeaderBytes
        var starts: [Int] = []
        while case .batch(_, let size) = segment.readBatch(at: offset) {
            starts.append(offset)
            offset += size
        }
        return (starts, offset)
    }
}

/// Records of one organization with consecutive seqs: enough variety to fill batches.
func serviceRecords(_ count: Int, org: OrgID = SampleRecords.org, from first: UInt64 = 1) -> [LogRecord] {
    (0..<count).map { index in
        let service = Service(
            id: .random(), name: "Service \(index)", description: String(repeating: "d", count: index % 50),
            status: .operational,
            statusReason: .created, groupID: nil, position: index, createdAt: SampleRecords.at,
            updatedAt: SampleRecords.at)
        return .organization(
            org,
            OrgEvent(
                seq: Seq(first + UInt64(index)), at: SampleRecords.at, by: .system, change: .serviceCreated(service)))
    }
}
