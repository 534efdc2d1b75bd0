import Engine
import Foundation
import NIOCore

/// Which list an archive block holds: every block holds one kind only.
enum ArchiveKind: UInt8, Sendable {
    case incidents = 1
    case maintenance = 2
}

/// Where one valid block lies in an archive file, and the span of times its items are listed at.
struct ArchiveBlock: Sendable {
    let offset: Int
    let kind: ArchiveKind
    let count: Int
    let oldest: Date
    let newest: Date
    /// Bytes of the LZ4 frame after the header.
    let payloadBytes: Int

    var end: Int { offset + ArchiveFormat.blockHeaderBytes + payloadBytes }
}

/// The byte layout of history archive files; docs/FORMAT.md "History archive" is the contract.
///
/// A file is a 16-byte header and then blocks, appended and never rewritten. A block is a 48-byte
/// header (with its own checksum and one over the payload) and an LZ4 frame of WAL-encoded items.
enum ArchiveFormat {
    static let magic = Array("STATUSAR".utf8)
    static let versionCurrent: UInt16 = 1
    static let fileHeaderBytes = 16
    static let blockMagic: UInt32 = 0x4152_4342  // "ARCB"
    static let blockHeaderBytes = 48

    /// `<org id>.archive`.
    static func fileName(_ org: OrgID) -> String { org.rawValue + ".archive" }

    static func organization(ofFile name: String) -> OrgID? {
        guard name.hasSuffix(".archive") else { return nil }
        return OrgID(name.dropLast(".archive".count))
    }

    /// `magic | u16 version | u16 0 | u32 crc32c(previous 12 bytes)`.
    static func fileHeader() -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeBytes(magic)
        buffer.writeWALInteger(versionCurrent)
        buffer.writeWALInteger(UInt16(0))
        let crc = buffer.withUnsafeReadableBytes { CRC32C.checksum($0) }
        buffer.writeWALInteger(crc)
        return buffer.readBytes(length: fileHeaderBytes)!
    }

    /// Checks a file header. - Throws: `PersistenceError` for another file or a newer version.
    static func checkFileHeader(_ bytes: ArraySlice<UInt8>, path: String) throws {
        guard bytes.count >= fileHeaderBytes, Array(bytes.prefix(8)) == magic else {
            throw PersistenceError(.corrupt, path: path, "not a statusd history archive (bad magic)")
        }
        var buffer = ByteBuffer(bytes: bytes.prefix(fileHeaderBytes))
        buffer.moveReaderIndex(forwardBy: 8)
        let version = try buffer.readWALInteger(as: UInt16.self)
        _ = try buffer.readWALInteger(as: UInt16.self)
        let crc = try buffer.readWALInteger(as: UInt32.self)
        guard crc == bytes.prefix(12).withUnsafeBytes({ CRC32C.checksum($0) }) else {
            throw PersistenceError(.corrupt, path: path, "archive header checksum mismatch")
        }
        guard version <= versionCurrent else {
            throw PersistenceError(
                .unsupportedVersion(found: Int(version), supported: Int(versionCurrent)), path: path,
                "archive format version \(version) is newer than this statusd reads (\(versionCurrent))")
        }
    }

    /// `u32 magic | u8 kind | 3 × u8 0 | u32 count | u32 payload length | f64 oldest | f64 newest |
    /// u32 crc32c(payload) | u32 0 | u32 0 | u32 crc32c(previous 44 bytes)`, then the payload.
    static func block(kind: ArchiveKind, count: Int, oldest: Date, newest: Date, payload: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(blockHeaderBytes + payload.count)
        buffer.writeWALInteger(blockMagic)
        buffer.writeWALInteger(kind.rawValue)
        buffer.writeBytes([0, 0, 0])
        buffer.writeWALInteger(UInt32(count))
        buffer.writeWALInteger(UInt32(payload.count))
        buffer.writeWALDate(oldest)
        buffer.writeWALDate(newest)
        buffer.writeWALInteger(payload.withUnsafeBytes { CRC32C.checksum($0) })
        buffer.writeWALInteger(UInt32(0))
        buffer.writeWALInteger(UInt32(0))
        let crc = buffer.withUnsafeReadableBytes { CRC32C.checksum($0) }
        buffer.writeWALInteger(crc)
        buffer.writeBytes(payload)
        return buffer.readBytes(length: buffer.readableBytes)!
    }

    /// What lies at an offset of an archive file.
    enum BlockRead {
        case block(ArchiveBlock)
        /// Not a whole block, up to the end of the file: a write cut short. Everything from here goes.
        case torn
        /// A block whose header is sound but whose payload fails its checksum, with more after it.
        case damaged(ArchiveBlock)
    }

    /// Reads the block at `offset` of `file`, checking both checksums.
    static func readBlock(in file: [UInt8], at offset: Int) -> BlockRead {
        guard offset + blockHeaderBytes <= file.count else { return .torn }
        let header = file[offset..<offset + blockHeaderBytes]
        guard header.prefix(44).withUnsafeBytes({ CRC32C.checksum($0) }) == littleEndian(header, at: 44) else {
            return .torn
        }
        var buffer = ByteBuffer(bytes: header)
        guard (try? buffer.readWALInteger(as: UInt32.self)) == blockMagic,
            let rawKind = try? buffer.readWALInteger(as: UInt8.self), let kind = ArchiveKind(rawValue: rawKind)
        else { return .torn }
        buffer.moveReaderIndex(forwardBy: 3)
        guard let count = try? buffer.readWALInteger(as: UInt32.self),
            let length = try? buffer.readWALInteger(as: UInt32.self),
            let oldest = try? buffer.readWALDate(), let newest = try? buffer.readWALDate(),
            let payloadCRC = try? buffer.readWALInteger(as: UInt32.self)
        else { return .torn }
        let block = ArchiveBlock(
            offset: offset, kind: kind, count: Int(count), oldest: oldest, newest: newest, payloadBytes: Int(length))
        guard block.end <= file.count else { return .torn }
        let payload = file[(offset + blockHeaderBytes)..<block.end]
        guard payload.withUnsafeBytes({ CRC32C.checksum($0) }) == payloadCRC else {
            return block.end == file.count ? .torn : .damaged(block)
        }
        return .block(block)
    }

    private static func littleEndian(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt32 {
        var buffer = ByteBuffer(bytes: bytes.dropFirst(index).prefix(4))
        return (try? buffer.readWALInteger(as: UInt32.self)) ?? 0
    }
}
