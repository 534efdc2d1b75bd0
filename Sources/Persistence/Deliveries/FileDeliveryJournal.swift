public import Engine
import Foundation
package import NIOCore
import Synchronization

/// The delivery journal of a single node: `deliveries/journal` in the data directory (docs/FORMAT.md
/// "Delivery journal"), appended and fdatasynced per batch of marks, rewritten whole when compacted.
///
/// A torn tail (a record cut by a crash, or one whose checksum fails at the end) is cut off on load:
/// the marks in it were never acknowledged, so the deliverer only repeats what they covered.
public final class FileDeliveryJournal: DeliveryJournal {
    static let magic = Array("STATUSDJ".utf8)
    static let version: UInt16 = 1
    static let headerBytes = 16

    let folder: String
    var path: String { folder + "/journal" }
    /// The open file and where the next record goes; one writer at a time.
    private let file = Mutex<(descriptor: FileDescriptor, end: Int)?>(nil)

    public init(dataDirectory: String) {
        self.folder = dataDirectory + "/deliveries"
    }

    public func load() async throws -> DeliveryLedger {
        try await onDedicatedThread { try self.loadNow() }
    }

    public func append(_ marks: [DeliveryMark]) async throws {
        guard !marks.isEmpty else { return }
        var buffer = ByteBuffer()
        for mark in marks { Self.writeRecord(mark, into: &buffer) }
        let bytes = Array(buffer.readableBytesView)
        try await onDedicatedThread {
            try self.file.withLock { file in
                guard let open = file else {
                    throw PersistenceError(.io(errno: EBADF), path: self.path, "the journal is not loaded")
                }
                try open.descriptor.write(bytes, at: open.end)
                try open.descriptor.syncData()
                file = (open.descriptor, open.end + bytes.count)
            }
        }
    }

    public func compact(to ledger: DeliveryLedger) async throws {
        try await onDedicatedThread { try self.rewrite(ledger.marks) }
    }

    public func close() {
        file.withLock { file in
            file?.descriptor.close()
            file = nil
        }
    }

    private func loadNow() throws -> DeliveryLedger {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard FileManager.default.fileExists(atPath: path) else {
            try rewrite([])
            return DeliveryLedger()
        }
        let bytes = try FileDescriptor.readAll(path)
        let (marks, validEnd) = try Self.decode(bytes, path: path)
        var ledger = DeliveryLedger()
        for mark in marks { ledger.apply(mark) }
        let descriptor = try FileDescriptor.open(path, flags: O_RDWR)
        if validEnd < bytes.count {
            try descriptor.truncate(to: validEnd)  // the torn tail: never acknowledged
            try descriptor.syncData()
        }
        file.withLock { file in
            file?.descriptor.close()
            file = (descriptor, validEnd)
        }
        return ledger
    }

    /// Writes a new journal holding `marks` beside the old one and renames it over it.
    private func rewrite(_ marks: [DeliveryMark]) throws {
        var buffer = ByteBuffer()
        buffer.writeBytes(Self.magic)
        buffer.writeInteger(Self.version, endianness: .little)
        buffer.writeInteger(UInt16(0), endianness: .little)
        buffer.writeInteger(UInt32(0), endianness: .little)
        for mark in marks { Self.writeRecord(mark, into: &buffer) }
        let bytes = Array(buffer.readableBytesView)
        let temporary = path + ".tmp"
        let descriptor = try FileDescriptor.open(temporary, flags: O_RDWR | O_CREAT | O_TRUNC)
        do {
            try descriptor.write(bytes, at: 0)
            try descriptor.syncData()
            try FileDescriptor.rename(temporary, to: path)
            try FileDescriptor.syncDirectory(folder)
        } catch {
            descriptor.close()
            throw error
        }
        file.withLock { file in
            file?.descriptor.close()
            file = (descriptor, bytes.count)
        }
    }

    /// `u32` payload length · `u32` CRC-32C of the payload · payload.
    static func writeRecord(_ mark: DeliveryMark, into buffer: inout ByteBuffer) {
        var payload = ByteBuffer()
        payload.writeDeliveryMark(mark)
        let bytes = Array(payload.readableBytesView)
        buffer.writeInteger(UInt32(bytes.count), endianness: .little)
        buffer.writeInteger(CRC32C.checksum(bytes), endianness: .little)
        buffer.writeBytes(bytes)
    }

    /// The marks of a journal file and the offset where its valid records end. A bad header or a bad
    /// record before the last is corruption, refused by name; only a damaged last record is a torn tail.
    static func decode(_ bytes: [UInt8], path: String) throws -> (marks: [DeliveryMark], validEnd: Int) {
        guard bytes.count >= headerBytes else {
            throw PersistenceError(.corrupt, path: path, "delivery journal header cut short (\(bytes.count) bytes)")
        }
        var buffer = ByteBuffer(bytes: bytes)
        guard buffer.readBytes(length: magic.count) == magic else {
            throw PersistenceError(.corrupt, path: path, "not a statusd delivery journal")
        }
        guard let version = buffer.readInteger(endianness: .little, as: UInt16.self) else {
            throw PersistenceError(.corrupt, path: path, "delivery journal header cut short")
        }
        guard version <= Self.version else {
            throw PersistenceError(
                .unsupportedVersion(found: Int(version), supported: Int(Self.version)), path: path,
                "delivery journal version \(version) is newer than this statusd reads (\(Self.version))")
        }
        buffer.moveReaderIndex(forwardBy: 6)
        var marks: [DeliveryMark] = []
        var validEnd = headerBytes
        while buffer.readableBytes > 0 {
            guard let length = buffer.readInteger(endianness: .little, as: UInt32.self),
                let checksum = buffer.readInteger(endianness: .little, as: UInt32.self),
                var payload = buffer.readSlice(length: Int(length))
            else { break }  // cut short by a crash
            let payloadBytes = Array(payload.readableBytesView)
            let mark: DeliveryMark
            do {
                guard CRC32C.checksum(payloadBytes) == checksum else { throw CodecError("checksum mismatch") }
                mark = try payload.readDeliveryMark()
                guard payload.readableBytes == 0 else { throw CodecError("bytes left after a mark") }
            } catch {
                guard buffer.readableBytes == 0 else {
                    throw PersistenceError(.corrupt, path: path, offset: validEnd, "delivery journal damaged: \(error)")
                }
                break
            }
            marks.append(mark)
            validEnd = buffer.readerIndex
        }
        return (marks, validEnd)
    }
}

/// A mark's bytes without the file's framing: what a journal row on PostgreSQL holds.
package enum DeliveryMarkCodec {
    package static func encode(_ mark: DeliveryMark) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeDeliveryMark(mark)
        return buffer
    }

    /// - Throws: `CodecError` for bytes that are not one whole mark.
    package static func decode(_ bytes: ByteBuffer) throws -> DeliveryMark {
        var buffer = bytes
        let mark = try buffer.readDeliveryMark()
        guard buffer.readableBytes == 0 else { throw CodecError("\(buffer.readableBytes) bytes left after a mark") }
        return mark
    }
}

extension ByteBuffer {
    mutating func writeDeliveryMark(_ mark: DeliveryMark) {
        func key(_ key: NoticeKey, tag: UInt8, into buffer: inout ByteBuffer) {
            buffer.writeWALInteger(tag)
            buffer.writeWALID(key.org)
            buffer.writeWALInteger(key.seq.rawValue)
        }
        switch mark {
        case .progress(let notice, let lane, let through):
            key(notice, tag: 1, into: &self)
            writeWALInteger(lane.rawValue)
            writeWALID(through)
        case .retry(let notice, let subscriber, let attempt, let due, let reason):
            key(notice, tag: 2, into: &self)
            writeWALID(subscriber)
            writeWALInt(attempt)
            writeWALDate(due)
            writeWALString(reason)
        case .settled(let notice, let subscriber):
            key(notice, tag: 3, into: &self)
            writeWALID(subscriber)
        case .finished(let notice):
            key(notice, tag: 4, into: &self)
        }
    }

    mutating func readDeliveryMark() throws -> DeliveryMark {
        let tag = try readWALInteger(as: UInt8.self)
        let key = NoticeKey(org: try readWALID(), seq: Seq(try readWALInteger(as: UInt64.self)))
        switch tag {
        case 1:
            let code = try readWALInteger(as: UInt8.self)
            guard let lane = DeliveryLane(rawValue: code) else { throw CodecError("unknown delivery lane \(code)") }
            return .progress(key, lane: lane, through: try readWALID())
        case 2:
            return .retry(
                key, try readWALID(), attempt: try readWALInt(), due: try readWALDate(), reason: try readWALString())
        case 3: return .settled(key, try readWALID())
        case 4: return .finished(key)
        default: throw CodecError("unknown delivery mark tag \(tag)")
        }
    }
}
