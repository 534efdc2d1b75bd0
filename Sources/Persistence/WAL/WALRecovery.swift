import Engine
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Where the writer continues after recovery: the last segment, the offset after its last valid
/// batch, and the next position.
struct WALTail: Sendable {
    let segmentPath: String
    let firstPosition: LogPosition
    let appendOffset: Int
    let nextPosition: LogPosition
}

/// Reads every segment in order, hands each record to the caller, and repairs a torn tail:
/// an invalid batch is a torn tail only when it is in the last segment and nothing valid follows it;
/// then a `.broken` copy is kept, the torn bytes are zeroed (the file keeps its preallocated length),
/// the file is fsynced, and a log line says how much was dropped. Anything else invalid is
/// corruption: start-up is refused, naming the file and offset, and `statusd check-wal` is the tool.
enum WALRecovery {
    struct Outcome {
        let tail: WALTail?
        let droppedBytes: Int
    }

    /// - Parameters:
    ///   - repair: repair a torn tail (start-up does; `check-wal` without `--repair` does not).
    ///   - onRecord: receives each record with its position, in log order.
    static func recover(
        walPath: String, batchBytesMax: Int, repair: Bool, start: WALStart? = nil, logger: Logger,
        onRecord: (LogRecord, LogPosition) throws -> Void
    ) throws -> Outcome {
        let segments = try WALFiles.segments(in: walPath)
        if let first = segments.first, first.1 > (start?.replayFrom ?? LogPosition(0)) {
            throw PersistenceError(
                .corrupt, path: walPath + "/" + first.0,
                "the log starts at position \(first.1) but replay must start at \(start?.replayFrom ?? LogPosition(0)): "
                    + (start == nil
                        ? "no snapshot covers the records before it" : "segments after the snapshot are missing"))
        }
        var expected: LogPosition? = nil
        var tail: WALTail? = nil
        var dropped = 0
        for (index, (name, first)) in segments.enumerated() {
            let path = walPath + "/" + name
            let isLast = index == segments.count - 1
            if let expected, expected != first {
                throw PersistenceError(
                    .corrupt, path: path,
                    "segment starts at position \(first) but the previous one ends at \(expected): a segment is missing"
                )
            }
            let bytes = try {
                let file = try FileDescriptor.open(path, flags: O_RDONLY)
                defer { file.close() }
                return try file.read(count: try file.size(), at: 0)
            }()
            let segment = WALSegmentBytes(bytes: bytes, path: path, batchBytesMax: batchBytesMax)
            var (offset, position) = try checkHeader(segment, first: first, isLast: isLast)
            scan: while true {
                switch segment.readBatch(at: offset) {
                case .batch(let records, let size):
                    for record in records {
                        try onRecord(record, position)
                        position = LogPosition(position.rawValue + 1)
                    }
                    offset += size
                case .end:
                    break scan
                case .invalid(let reason):
                    guard isLast, !segment.containsValidBatch(after: offset) else {
                        throw PersistenceError(
                            .corrupt, path: path, offset: offset,
                            "\(reason); refusing to start: run `statusd check-wal` to inspect and `statusd check-wal --repair` to truncate here"
                        )
                    }
                    let torn = (segment.lastNonZero ?? offset) + 1 - offset
                    guard repair else {
                        throw PersistenceError(
                            .tornTail, path: path, offset: offset, "\(reason): a torn tail of \(torn) bytes")
                    }
                    try repairTornTail(path: path, bytes: bytes, offset: offset, length: torn)
                    logger.warning(
                        "WAL torn tail repaired: dropped \(torn) bytes at \(path):\(offset) (\(reason)); copy kept in \(path).broken"
                    )
                    dropped += torn
                    break scan
                }
            }
            expected = position
            tail = WALTail(segmentPath: path, firstPosition: first, appendOffset: offset, nextPosition: position)
        }
        if let start, let tail, tail.nextPosition < start.logEnd {
            throw PersistenceError(
                .corrupt, path: tail.segmentPath,
                "the log ends at position \(tail.nextPosition) but the snapshot holds records up to \(start.logEnd)")
        }
        return Outcome(tail: tail, droppedBytes: dropped)
    }

    /// Checks a segment's header and returns where its batches start. A last segment whose header is
    /// all zeros was being created when the process stopped: it holds nothing and gets its header back.
    private static func checkHeader(_ segment: WALSegmentBytes, first: LogPosition, isLast: Bool) throws
        -> (offset: Int, position: LogPosition)
    {
        let header = Array(segment.bytes.prefix(WALFormat.segmentHeaderBytes))
        if isLast && header.allSatisfy({ $0 == 0 }) && segment.isZero(from: 0) {
            let file = try FileDescriptor.open(segment.path, flags: O_WRONLY)
            defer { file.close() }
            try file.write(WALFormat.segmentHeader(first: first), at: 0)
            try file.syncData()
            return (WALFormat.segmentHeaderBytes, first)
        }
        guard header.count == WALFormat.segmentHeaderBytes, Array(header.prefix(8)) == WALFormat.magic else {
            throw PersistenceError(.corrupt, path: segment.path, "not a statusd WAL segment (bad magic)")
        }
        let version = Int(UInt16(header[8]) | UInt16(header[9]) << 8)
        guard version <= Int(WALFormat.versionCurrent) else {
            throw PersistenceError(
                .unsupportedVersion(found: version, supported: Int(WALFormat.versionCurrent)), path: segment.path,
                "segment format version \(version) is newer than this statusd reads (\(WALFormat.versionCurrent)); upgrade statusd"
            )
        }
        guard header == WALFormat.segmentHeader(first: first) else {
            throw PersistenceError(.corrupt, path: segment.path, "segment header does not match its name or checksum")
        }
        return (WALFormat.segmentHeaderBytes, first)
    }

    private static func repairTornTail(path: String, bytes: [UInt8], offset: Int, length: Int) throws {
        let broken = path + ".broken"
        try? FileManager.default.removeItem(atPath: broken)
        do {
            let copy = try FileDescriptor.open(broken, flags: O_WRONLY | O_CREAT | O_TRUNC)
            defer { copy.close() }
            try copy.write(bytes, at: 0)
            try copy.syncData()
        }
        let file = try FileDescriptor.open(path, flags: O_WRONLY)
        defer { file.close() }
        try file.write([UInt8](repeating: 0, count: length), at: offset)
        try file.syncData()
    }
}
