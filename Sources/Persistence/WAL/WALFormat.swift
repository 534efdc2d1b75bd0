import Engine
import Foundation
import NIOCore

/// The byte layout of WAL segments and batches; docs/FORMAT.md "Write-ahead log" is the contract.
enum WALFormat {
    static let magic = Array("STATUSWL".utf8)
    /// The segment format version this build writes; older ones stay readable.
    static let versionCurrent: UInt16 = 1
    static let segmentHeaderBytes = 32
    static let batchHeaderBytes = 16

    /// `<16 hex digits of the first position>.wal`.
    static func segmentName(_ first: LogPosition) -> String {
        let hex = String(first.rawValue, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".wal"
    }

    /// The first position a segment name gives, or nil for files that are not segments.
    static func firstPosition(ofSegment name: String) -> LogPosition? {
        guard name.hasSuffix(".wal"), name.count == 20, let value = UInt64(name.prefix(16), radix: 16) else {
            return nil
        }
        return LogPosition(value)
    }

    static func segmentHeader(first: LogPosition) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeBytes(magic)
        buffer.writeWALInteger(versionCurrent)
        buffer.writeWALInteger(UInt16(0))
        buffer.writeWALInteger(UInt32(0))
        buffer.writeWALInteger(first.rawValue)
        let crc = buffer.withUnsafeReadableBytes { CRC32C.checksum($0) }
        buffer.writeWALInteger(crc)
        buffer.writeWALInteger(UInt32(0))
        precondition(buffer.readableBytes == segmentHeaderBytes, "segment header is \(buffer.readableBytes) bytes")
        return buffer.readBytes(length: segmentHeaderBytes)!
    }

    /// `u32 length | u32 crc32c(records) | u32 count | u32 crc32c(previous 12 bytes)`, then the records.
    static func writeBatch(records: ByteBuffer, count: Int, into buffer: inout ByteBuffer) {
        let recordsCRC = records.withUnsafeReadableBytes { CRC32C.checksum($0) }
        let headerStart = buffer.writerIndex
        buffer.writeWALInteger(UInt32(records.readableBytes))
        buffer.writeWALInteger(recordsCRC)
        buffer.writeWALInteger(UInt32(count))
        let headerCRC = buffer.withUnsafeReadableBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(headerStart - buffer.readerIndex)...].prefix(12)))
        }
        buffer.writeWALInteger(headerCRC)
        var copy = records
        buffer.writeBuffer(&copy)
    }
}
