public import Engine
import Foundation
public import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The on-disk history archive: closed incidents and maintenance windows
/// that left the raw window, one append-only file of LZ4 blocks per organization in `<data>/archive/`.
///
/// An item reaches the archive before it leaves memory: a block is written and fdatasynced, and only
/// then does the organization log `historyArchived`. A crash in between leaves the item in both
/// places, so reads merge memory and archive and drop repeated ids. Each file's block index (kind,
/// count, time span, offset) is read once, on first use, and kept; items are decoded on demand.
///
/// Every method that touches files blocks: call it off the cooperative pool (`onDedicatedThread`).
public final class HistoryArchive: Sendable {
    /// What is known of one organization's file.
    struct FileIndex: Sendable {
        var exists = false
        var blocks: [ArchiveBlock] = []
        /// Where the next block goes: the end of the last valid block.
        var end = ArchiveFormat.fileHeaderBytes
        /// Bytes after `end` that are not a whole block: a write cut short, removed by the next append.
        var tornBytes = 0
    }

    /// `<data>/archive`.
    public let path: String
    private let indexes = Mutex<[OrgID: FileIndex]>([:])
    /// Appends run one at a time: the index of a file changes only under it.
    private let appending = Mutex(())
    private let logger: Logger

    /// The archive of a data directory; creates `archive/` if needed.
    public convenience init(directory: DataDirectory, logger: Logger) throws {
        try self.init(path: directory.path + "/archive", logger: logger)
    }

    init(path: String, logger: Logger) throws {
        self.path = path
        self.logger = logger
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw PersistenceError(.io(errno: EIO), path: path, "cannot create the archive directory: \(error)")
        }
    }

    /// The organizations with an archive file.
    public func organizations() throws -> [OrgID] {
        try FileManager.default.contentsOfDirectory(atPath: path).compactMap(ArchiveFormat.organization(ofFile:))
            .sorted()
    }

    /// How many items of each kind one organization's archive holds.
    public func counts(of org: OrgID) throws -> (incidents: Int, maintenance: Int) {
        let blocks = try index(of: org).blocks
        return (
            blocks.filter { $0.kind == .incidents }.reduce(0) { $0 + $1.count },
            blocks.filter { $0.kind == .maintenance }.reduce(0) { $0 + $1.count }
        )
    }

    // MARK: Writing

    /// Appends `history` to the organization's file, one block per kind, and makes it durable.
    /// - Throws: `PersistenceError` for a failed write or sync: nothing may then leave memory.
    public func append(_ history: ArchivableHistory, of org: OrgID) throws {
        try append(blocks: try Self.blocks(of: history), of: org)
    }

    /// `history` as the blocks of an archive file, one per kind it has (what a cluster shares).
    public static func blocks(of history: ArchivableHistory) throws -> [[UInt8]] {
        var blocks: [[UInt8]] = []
        for (kind, block) in [
            (ArchiveKind.incidents, try encode(history.incidents)),
            (ArchiveKind.maintenance, try encode(history.maintenance)),
        ] {
            guard let block else { continue }
            blocks.append(
                ArchiveFormat.block(
                    kind: kind, count: block.count, oldest: block.oldest, newest: block.newest,
                    payload: block.payload))
        }
        return blocks
    }

    /// Appends blocks (as `blocks(of:)` makes them, here or on another node) to the organization's
    /// file and makes them durable.
    /// - Throws: `PersistenceError` for a failed write or sync, or a block that does not read back.
    public func append(blocks: [[UInt8]], of org: OrgID) throws {
        guard !blocks.isEmpty else { return }
        try appending.withLock { _ in
            var index = try self.index(of: org)
            let file = filePath(org)
            let start = index.exists ? index.end : 0
            var bytes = index.exists ? [] : ArchiveFormat.fileHeader()
            var added: [ArchiveBlock] = []
            for block in blocks {
                guard case .block(let read) = ArchiveFormat.readBlock(in: block, at: 0) else {
                    throw PersistenceError(.corrupt, path: file, "an archive block to append does not read back")
                }
                let offset = start + bytes.count
                bytes += block
                added.append(
                    ArchiveBlock(
                        offset: offset, kind: read.kind, count: read.count, oldest: read.oldest, newest: read.newest,
                        payloadBytes: read.payloadBytes))
            }
            let descriptor = try FileDescriptor.open(file, flags: O_RDWR | O_CREAT, mode: 0o600)
            defer { descriptor.close() }
            if index.tornBytes > 0 { try cutTornTail(of: descriptor, at: index.end) }
            try descriptor.write(bytes, at: start)
            try descriptor.syncData()
            if !index.exists { try FileDescriptor.syncDirectory(path) }
            index.exists = true
            index.blocks += added
            index.end = (added.last?.end ?? index.end)
            index.tornBytes = 0
            indexes.withLock { $0[org] = index }
        }
    }

    /// The organization's blocks as its file holds them (the ones that read back), oldest first: what
    /// `statusd cluster import` stores in the cluster's archive.
    public func storedBlocks(of org: OrgID) throws -> [[UInt8]] {
        let blocks = try index(of: org).blocks
        guard !blocks.isEmpty else { return [] }
        let bytes = try FileDescriptor.readAll(filePath(org))
        return blocks.map { Array(bytes[$0.offset..<$0.end]) }
    }

    /// How many blocks the organization's file holds that read back.
    public func blockCount(of org: OrgID) throws -> Int { try index(of: org).blocks.count }

    /// Deletes an organization's archive (the organization is gone).
    public func remove(_ org: OrgID) throws {
        try appending.withLock { _ in
            let file = filePath(org)
            if FileManager.default.fileExists(atPath: file) {
                try FileDescriptor.remove(file)
                try FileDescriptor.syncDirectory(path)
            }
            _ = indexes.withLock { $0.removeValue(forKey: org) }
        }
    }

    /// Keeps the torn bytes beside the file as `.broken` (for a person to look at), then cuts them.
    private func cutTornTail(of descriptor: FileDescriptor, at end: Int) throws {
        let size = try descriptor.size()
        let torn = try descriptor.read(count: size - end, at: end)
        try Data(torn).write(to: URL(fileURLWithPath: descriptor.path + ".broken"))
        try descriptor.truncate(to: end)
        logger.warning(
            "archive: cut a torn tail",
            metadata: ["file": "\(descriptor.path)", "offset": "\(end)", "bytes": "\(size - end)"])
    }

    private struct EncodedBlock {
        let payload: [UInt8]
        let count: Int
        let oldest: Date
        let newest: Date
    }

    private static func encode<Item: ArchivedItem>(_ items: [Item]) throws -> EncodedBlock? {
        guard let first = items.first else { return nil }
        var buffer = ByteBuffer()
        var oldest = first.listedAt
        var newest = first.listedAt
        for item in items {
            item.writeArchived(into: &buffer)
            oldest = min(oldest, item.listedAt)
            newest = max(newest, item.listedAt)
        }
        let payload = try LZ4Frame.compress(buffer.readBytes(length: buffer.readableBytes) ?? [])
        return EncodedBlock(payload: payload, count: items.count, oldest: oldest, newest: newest)
    }

    // MARK: Reading

    /// The organization's file index, read from disk on first use.
    func index(of org: OrgID) throws -> FileIndex {
        if let known = indexes.withLock({ $0[org] }) { return known }
        let loaded = try loadIndex(filePath(org))
        return indexes.withLock { indexes in
            if let raced = indexes[org] { return raced }  // an append got there first: it is newer
            indexes[org] = loaded
            return loaded
        }
    }

    private func loadIndex(_ file: String) throws -> FileIndex {
        guard FileManager.default.fileExists(atPath: file) else { return FileIndex() }
        let bytes = try FileDescriptor.readAll(file)
        var index = FileIndex(exists: true)
        if bytes.count < ArchiveFormat.fileHeaderBytes {
            // The first write was cut short: nothing in it left memory.
            index.exists = false
            try? FileDescriptor.remove(file)
            return index
        }
        try ArchiveFormat.checkFileHeader(bytes[...], path: file)
        var offset = ArchiveFormat.fileHeaderBytes
        scan: while offset < bytes.count {
            switch ArchiveFormat.readBlock(in: bytes, at: offset) {
            case .block(let block):
                index.blocks.append(block)
                offset = block.end
            case .damaged(let block):
                // Its items were acknowledged as archived and are gone from memory: say so loudly,
                // keep serving the rest.
                logger.critical(
                    "archive: a block fails its checksum and is skipped",
                    metadata: ["file": "\(file)", "offset": "\(block.offset)", "items": "\(block.count)"])
                offset = block.end
            case .torn:
                break scan
            }
        }
        index.end = offset
        index.tornBytes = bytes.count - offset
        return index
    }

    /// The items of one block, decoded.
    func items<Item: ArchivedItem>(of block: ArchiveBlock, in org: OrgID, as: Item.Type) throws -> [Item] {
        let file = filePath(org)
        let descriptor = try FileDescriptor.open(file, flags: O_RDONLY)
        defer { descriptor.close() }
        let start = block.offset + ArchiveFormat.blockHeaderBytes
        let frame = try descriptor.read(count: block.payloadBytes, at: start)
        do {
            var buffer = try LZ4Frame.decompress(frame, sizeMax: 1 << 30)
            return try (0..<block.count).map { _ in try Item.readArchived(from: &buffer) }
        } catch {
            throw PersistenceError(.corrupt, path: file, offset: block.offset, "archive block unreadable: \(error)")
        }
    }

    func logFailure(_ message: Logger.Message, _ org: OrgID?, _ error: any Error) {
        logger.error(message, metadata: ["organization": "\(org.map(\.rawValue) ?? "-")", "error": "\(error)"])
    }

    private func filePath(_ org: OrgID) -> String { path + "/" + ArchiveFormat.fileName(org) }
}
