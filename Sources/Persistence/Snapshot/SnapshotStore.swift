public import Engine  // Snapshots hold Engine states.
import Foundation
public import Logging  // Callers hand the store their Logger.
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// Snapshot files in `<data>/snapshots/`: `snapshot-<16 hex replay position>.lz4`, each a
/// standard LZ4 frame with its content checksum on. Written to a temporary name, fsynced, renamed,
/// and the directory fsynced; loaded newest first, falling back past damaged ones.
public struct SnapshotStore: Sendable {
    public let path: String
    /// How many good snapshots are kept; the WAL is trimmed behind the oldest of them.
    public static let retained = 2

    public init(dataDirectory: DataDirectory) {
        self.path = dataDirectory.path + "/snapshots"
    }

    /// A store at an explicit folder (offline tools).
    public init(path: String) {
        self.path = path
    }

    /// Snapshot files, newest (highest replay position) first.
    public func list() throws -> [(position: LogPosition, path: String)] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: path).compactMap { name in
            guard name.hasPrefix("snapshot-"), name.hasSuffix(".lz4"), name.count == 9 + 16 + 4,
                let value = UInt64(name.dropFirst(9).prefix(16), radix: 16)
            else { return nil }
            return (LogPosition(value), path + "/" + name)
        }.sorted { $0.position > $1.position }
    }

    /// A snapshot as written: where, and its size compressed and not.
    public struct Written: Sendable {
        public let path: String
        public let bytes: Int
        public let rawBytes: Int
    }

    /// Compresses and writes `capture` atomically. Runs on the caller's thread: the server calls it
    /// from a dedicated one.
    @discardableResult
    public func write(_ capture: SnapshotCapture) throws -> Written {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let raw = SnapshotFile.encode(capture)
        let compressed = try LZ4Frame.compress(raw)
        let name = "snapshot-" + WALFormat.segmentName(capture.replayFrom).dropLast(4) + ".lz4"
        let target = path + "/" + name
        let temporary = target + ".tmp"
        let file = try FileDescriptor.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try file.write(compressed, at: 0)
            try file.syncData()  // the bytes are on disk before the name points at them
            file.close()
        } catch {
            file.close()
            throw error
        }
        try FileDescriptor.rename(temporary, to: target)
        try FileDescriptor.syncDirectory(path)  // and the name is durable before anything relies on it
        return Written(path: target, bytes: compressed.count, rawBytes: raw.count)
    }

    /// Reads one snapshot file.
    /// - Throws: `PersistenceError.unsupportedVersion` for a newer format, `.corrupt` for a damaged one.
    public static func read(_ file: String) throws -> SnapshotCapture {
        try decode(try FileDescriptor.readAll(file), from: file)
    }

    /// A snapshot's bytes as a file holds them (LZ4), for a snapshot kept elsewhere than in a file (the
    /// base of the log on PostgreSQL).
    public static func encode(_ capture: SnapshotCapture) throws -> [UInt8] {
        try LZ4Frame.compress(SnapshotFile.encode(capture))
    }

    /// An organization's state in a snapshot's encoding, uncompressed, with its maps in key order: the
    /// same bytes for the same state in any process, which the cluster's state digest hashes.
    public static func canonicalBytes(of state: OrgState) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeSnapshotOrg(state, canonical: true)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// The directory's state as a snapshot holds it, uncompressed (as `canonicalBytes(of:)` for one
    /// organization).
    public static func canonicalBytes(of state: DirectoryState) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeSnapshotDirectory(state, canonical: true)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// - Parameter source: where the bytes come from, for the error.
    /// - Throws: `PersistenceError.unsupportedVersion` for a newer format, `.corrupt` for a damaged one.
    public static func decode(_ bytes: [UInt8], from source: String) throws -> SnapshotCapture {
        do {
            return try SnapshotFile.decode(try LZ4Frame.decompress(bytes))
        } catch let error as SnapshotVersionError {
            throw PersistenceError(
                .unsupportedVersion(found: error.found, supported: Int(SnapshotFile.versionCurrent)), path: source,
                "snapshot format version \(error.found) is newer than this statusd reads (\(SnapshotFile.versionCurrent)); upgrade statusd"
            )
        } catch {
            throw PersistenceError(.corrupt, path: source, "\(error)")
        }
    }

    /// The newest snapshot that reads back, renaming damaged ones to `.broken` on the way (etcd's
    /// snapshotter does the same). A snapshot of a newer format stops the search: falling back past it
    /// would silently drop what that newer statusd wrote.
    public func loadNewest(logger: Logger) throws -> SnapshotCapture? {
        for (_, file) in try list() {
            do {
                let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
                logger.info("loading snapshot \(file) (\(size >> 20) MiB)")
                let capture = try Self.read(file)
                logger.info(
                    "loaded snapshot \(file): \(capture.organizations.count) organizations, replay from \(capture.replayFrom)"
                )
                return capture
            } catch let error as PersistenceError where error.code == .corrupt {
                logger.error(
                    "snapshot \(file) is damaged (\(error.detail)); renamed to .broken, trying the previous one")
                try? FileDescriptor.rename(file, to: file + ".broken")
            }
        }
        return nil
    }

    /// Deletes every snapshot: they are of a log that is no longer this one (restored behind them).
    public func removeAll() throws {
        for (_, file) in try list() { try FileDescriptor.remove(file) }
    }

    /// Deletes all but the `retained` newest snapshots; returns the replay position of the oldest one
    /// kept, behind which the WAL may be trimmed.
    public func prune() throws -> LogPosition? {
        let snapshots = try list()
        for (_, file) in snapshots.dropFirst(Self.retained) { try FileDescriptor.remove(file) }
        return snapshots.prefix(Self.retained).last?.position
    }
}
