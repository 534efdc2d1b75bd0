public import Engine  // Summaries name organizations by their Engine ids.
import Foundation

/// What one WAL segment file holds, for `statusd inspect`: its header, its batches and the seqs of
/// each stream, and where it stops being valid.
public struct WALSegmentSummary: Sendable {
    public let path: String
    public let firstPosition: LogPosition?
    public let version: Int
    public var batches = 0
    public var records = 0
    public var bytesUsed = 0
    public var organizations: [OrgID: ClosedRange<UInt64>] = [:]
    public var directory: ClosedRange<UInt64>?
    /// Why reading stopped before the zeros, if it did.
    public var invalid: (offset: Int, reason: String)?

    public static func read(_ path: String, batchBytesMax: Int = 8 << 20) throws -> WALSegmentSummary {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count >= WALFormat.segmentHeaderBytes, Array(bytes.prefix(8)) == WALFormat.magic else {
            throw PersistenceError(.corrupt, path: path, "not a statusd WAL segment (bad magic)")
        }
        let version = Int(UInt16(bytes[8]) | UInt16(bytes[9]) << 8)
        var summary = WALSegmentSummary(
            path: path, firstPosition: WALFormat.firstPosition(ofSegment: URL(fileURLWithPath: path).lastPathComponent),
            version: version)
        let segment = WALSegmentBytes(bytes: bytes, path: path, batchBytesMax: batchBytesMax)
        var offset = WALFormat.segmentHeaderBytes
        scan: while true {
            switch segment.readBatch(at: offset) {
            case .batch(let records, let size):
                summary.batches += 1
                summary.records += records.count
                offset += size
                for record in records { summary.count(record) }
            case .end:
                break scan
            case .invalid(let reason):
                summary.invalid = (offset, reason)
                break scan
            }
        }
        summary.bytesUsed = offset
        return summary
    }

    private mutating func count(_ record: LogRecord) {
        switch record {
        case .organization(let id, let event):
            let seq = event.seq.rawValue
            organizations[id] = organizations[id].map { min($0.lowerBound, seq)...max($0.upperBound, seq) } ?? seq...seq
        case .directory(let event):
            let seq = event.seq.rawValue
            directory = directory.map { min($0.lowerBound, seq)...max($0.upperBound, seq) } ?? seq...seq
        }
    }
}
