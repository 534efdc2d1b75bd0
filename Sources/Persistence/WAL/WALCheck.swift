public import Engine  // Reports name organizations by their Engine ids.
import Foundation
public import Logging  // Callers hand the check their Logger.

#if canImport(Glibc)
    import Glibc
#endif

/// `statusd check-wal`: reads a data directory's whole log the way start-up does and says what it
/// found, like `redis-check-aof`. With `repair`, a torn tail is dropped as start-up would drop it, and
/// corruption is cut off at its offset: the rest of that segment is zeroed and later segments are set
/// aside as `.broken` (the records after the damage are lost; copies stay on disk).
public enum WALCheck {
    public enum Outcome: Sendable {
        case clean
        case tornTail(PersistenceError)
        case corrupt(PersistenceError)
        case repaired(String)
    }

    public struct Report: Sendable {
        /// Each segment's file name, first position and record count.
        public var segments: [(name: String, first: LogPosition, records: Int)] = []
        public var records = 0
        /// The last seq seen per organization, and for the directory.
        public var organizations: [OrgID: Seq] = [:]
        public var directorySeq = Seq.zero
        public var outcome = Outcome.clean
    }

    public static func run(
        walPath: String, batchBytesMax: Int = 8 << 20, repair: Bool, start: WALStart? = nil, logger: Logger
    ) throws -> Report {
        var report = Report()
        let names = try WALFiles.segments(in: walPath)
        report.segments = names.map { ($0.0, $0.1, 0) }
        func count(_ record: LogRecord, _ position: LogPosition) {
            report.records += 1
            if let index = report.segments.lastIndex(where: { $0.first <= position }) {
                report.segments[index].records += 1
            }
            switch record {
            case .organization(let id, let event): report.organizations[id] = event.seq
            case .directory(let event): report.directorySeq = event.seq
            }
        }
        do {
            _ = try WALRecovery.recover(
                walPath: walPath, batchBytesMax: batchBytesMax, repair: repair, start: start, logger: logger,
                onRecord: { count($0, $1) })
            return report
        } catch let error as PersistenceError where error.code == .tornTail {
            report.outcome = .tornTail(error)
        } catch let error as PersistenceError where error.code == .corrupt {
            report.outcome = .corrupt(error)
            guard repair else { return report }
            report.outcome = .repaired(try truncate(at: error, walPath: walPath))
        }
        return report
    }

    /// Cuts the log at a corrupt offset, keeping copies of everything removed.
    private static func truncate(at error: PersistenceError, walPath: String) throws -> String {
        let file = error.path
        guard let damaged = WALFormat.firstPosition(ofSegment: URL(fileURLWithPath: file).lastPathComponent) else {
            throw PersistenceError(
                .corrupt, path: file, "cannot repair: the damage is not inside a segment (\(error.detail))")
        }
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        try Data(bytes).write(to: URL(fileURLWithPath: file + ".broken"))
        let descriptor = try FileDescriptor.open(file, flags: O_WRONLY)
        defer { descriptor.close() }
        let offset = max(error.offset, WALFormat.segmentHeaderBytes)
        try descriptor.write([UInt8](repeating: 0, count: max(0, bytes.count - offset)), at: offset)
        try descriptor.syncData()
        var setAside = 0
        for (name, first) in try WALFiles.segments(in: walPath) where first > damaged {
            try FileDescriptor.rename(walPath + "/" + name, to: walPath + "/" + name + ".broken")
            setAside += 1
        }
        try FileDescriptor.syncDirectory(walPath)
        return "cut \(file) at byte \(offset) (copy in .broken) and set aside \(setAside) later segments as .broken"
    }
}
