import Engine
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The segment the writer appends to. Confined to the writer thread: the only code that holds a WAL
/// file descriptor for writing.
final class ActiveSegment {
    private var file: FileDescriptor
    private(set) var path: String
    private(set) var offset: Int
    private let walPath: String
    private let segmentBytesMax: Int
    private let preallocator: SegmentPreallocator
    /// Whether batches go through `O_DIRECT` (under `--fsync always`, where the file system allows it).
    private let directIO: Bool
    private var direct: DirectBlockWriter?
    /// Where the batch being written goes: what `rescindLastBatch()` erases when its write or sync fails.
    private var lastBatch: (path: String, offset: Int, count: Int)?

    /// Continues the segment recovery ended in, or creates the first one at `first`.
    init(
        tail: WALTail?, first: LogPosition, walPath: String, segmentBytesMax: Int, preallocator: SegmentPreallocator,
        directIO: Bool
    ) throws {
        self.walPath = walPath
        self.segmentBytesMax = segmentBytesMax
        self.preallocator = preallocator
        self.directIO = directIO
        if let tail {
            file = try FileDescriptor.open(tail.segmentPath, flags: O_WRONLY)
            path = tail.segmentPath
            offset = tail.appendOffset
        } else {
            (file, path) = try Self.create(first: first, walPath: walPath, preallocator: preallocator)
            offset = WALFormat.segmentHeaderBytes
        }
        try openForDirectWrites()
        prepareSpareWhenHalfFull()
    }

    /// Reopens the segment with `O_DIRECT` when asked and supported; stays buffered otherwise (tmpfs
    /// and some other file systems refuse `O_DIRECT` with EINVAL).
    private func openForDirectWrites() throws {
        direct = nil
        guard directIO else { return }
        guard let directFile = try? FileDescriptor.open(path, flags: O_WRONLY | DirectBlockWriter.openFlag) else {
            return
        }
        file.close()
        file = directFile
        direct = try DirectBlockWriter(path: path, offset: offset)
    }

    /// Writes one framed batch whose first record has position `first`, rolling to a new segment
    /// when it does not fit in this one.
    func write(_ batch: UnsafeRawBufferPointer, first: LogPosition) throws {
        // Until this batch's bytes go out, there is nothing to erase: a roll that fails must never make
        // the erase hit the batch before, which was acknowledged (a fault test lost it that way).
        lastBatch = nil
        if offset + batch.count > segmentBytesMax { try roll(to: first) }
        lastBatch = (path, offset, batch.count)
        if let direct {
            try direct.write(batch, at: offset, to: file)
        } else {
            try file.write(batch, at: offset)
        }
        offset += batch.count
        prepareSpareWhenHalfFull()
    }

    /// The next segment is written (tens of megabytes of zeros) only once this one is half used, so
    /// that opening a log does not compete with its first writes for the disk.
    private func prepareSpareWhenHalfFull() {
        if offset >= segmentBytesMax / 2 { preallocator.prepare() }
    }

    func syncData() throws { try file.syncData() }

    /// Erases the last batch written (zeros, as preallocated space reads), best effort, after its write
    /// or sync failed: it was never acknowledged, so recovery must not find it whole, as it would when
    /// the write reached the page cache and only the sync failed. When the disk refuses this too, the
    /// batch stays as a crash would leave it: whole or torn, and never acknowledged.
    /// A buffered descriptor of its own: `O_DIRECT` would need aligned blocks, and the segment's own
    /// descriptor may be the one that failed.
    func rescindLastBatch() {
        guard let (path, start, count) = lastBatch,
            let eraser = try? FileDescriptor.open(path, flags: O_WRONLY)
        else { return }
        defer { eraser.close() }
        _ = try? eraser.write([UInt8](repeating: 0, count: count), at: start)
        _ = try? eraser.syncData()
    }

    func close() { file.close() }

    /// Finishes this segment durably and continues in a fresh, preallocated one named by `first`.
    /// The directory is fsynced before any record in the new segment is acknowledged.
    private func roll(to first: LogPosition) throws {
        try file.syncData()
        // The new segment first: were its creation to fail, `file` must still be the open old one, which
        // the writer closes once when it stops; closed here already, its number would be closed twice,
        // the second time under whoever got it next (a crash in NIO found this, a socket of another
        // test in the process having taken the number).
        let (next, nextPath) = try Self.create(first: first, walPath: walPath, preallocator: preallocator)
        file.close()
        (file, path) = (next, nextPath)
        offset = WALFormat.segmentHeaderBytes
        try openForDirectWrites()
    }

    private static func create(first: LogPosition, walPath: String, preallocator: SegmentPreallocator) throws
        -> (FileDescriptor, String)
    {
        let spare = try preallocator.take()
        let path = walPath + "/" + WALFormat.segmentName(first)
        try FileDescriptor.rename(spare, to: path)
        let file = try FileDescriptor.open(path, flags: O_WRONLY)
        do {
            try file.write(WALFormat.segmentHeader(first: first), at: 0)
            try file.syncData()
            // The rename is durable only once the directory is: before anything in it is acknowledged.
            try FileDescriptor.syncDirectory(walPath)
        } catch {
            file.close()
            throw error
        }
        return (file, path)
    }
}
