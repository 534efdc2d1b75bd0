/// When an append is acknowledged relative to fdatasync (invariant 1 (docs/ARCHITECTURE.md); README "Durability").
public enum FsyncPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Acknowledge after the batch's write and fdatasync: a power cut loses nothing acknowledged.
    case always
    /// Acknowledge after the write; fdatasync runs at least this often: a power cut loses at most
    /// about one interval of acknowledged writes.
    case interval(Duration)
    /// Acknowledge after the write; the kernel decides when to flush.
    case none

    public var description: String {
        switch self {
        case .always: "always"
        case .interval(let interval): "interval(\(interval))"
        case .none: "none"
        }
    }
}

/// Limits and policy of the write-ahead log (a bound on everything).
public struct WALConfiguration: Sendable {
    public var fsync: FsyncPolicy = .always
    /// Segment file size; segments are preallocated to it with zeros.
    public var segmentBytesMax = 64 << 20
    /// The most record bytes one batch (one write, one fdatasync) carries.
    public var batchBytesMax = 8 << 20
    /// The most bytes one append (one command's events) may take.
    public var appendBytesMax = 1 << 20
    /// Under `always`, write batches with `O_DIRECT` where the file system allows it (see
    /// `DirectBlockWriter`); the bytes on disk are the same either way.
    public var directIO = true

    public init(fsync: FsyncPolicy = .always) {
        self.fsync = fsync
    }

    /// A configuration for a segment size; batches take at most a quarter of a segment.
    public init(fsync: FsyncPolicy, segmentBytesMax: Int) {
        self.fsync = fsync
        self.segmentBytesMax = segmentBytesMax
        self.batchBytesMax = min(8 << 20, segmentBytesMax / 4)
        self.appendBytesMax = min(1 << 20, batchBytesMax)
    }

    /// Checks the limits fit together: one largest batch must fit in a segment after its header.
    public func validated() throws -> WALConfiguration {
        guard appendBytesMax <= batchBytesMax,
            batchBytesMax + WALFormat.batchHeaderBytes + WALFormat.segmentHeaderBytes <= segmentBytesMax
        else {
            throw PersistenceError(
                .tooLarge, path: "configuration",
                "segment size \(segmentBytesMax) must hold a batch of \(batchBytesMax) bytes plus headers")
        }
        if case .interval(let interval) = fsync, interval <= .zero {
            throw PersistenceError(.tooLarge, path: "configuration", "the fsync interval must be positive")
        }
        return self
    }
}
