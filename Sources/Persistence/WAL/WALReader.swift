import Engine
import Foundation
import NIOCore

/// What reading one batch at an offset found.
enum WALBatchRead {
    /// A valid batch: its records and its size in bytes, header included.
    case batch([LogRecord], bytes: Int)
    /// Zeros to the end of the file (the preallocated area) or the end of the file itself.
    case end
    /// Bytes that are not a valid batch; the reader decides between torn tail and corruption.
    case invalid(String)
}

/// Reads batches from one segment's bytes.
struct WALSegmentBytes {
    let bytes: [UInt8]
    let path: String
    let batchBytesMax: Int
    /// The offset of the last non-zero byte, if any: where the preallocated zeros begin.
    let lastNonZero: Int?

    init(bytes: [UInt8], path: String, batchBytesMax: Int) {
        self.bytes = bytes
        self.path = path
        self.batchBytesMax = batchBytesMax
        self.lastNonZero = Self.lastNonZeroOffset(in: bytes)
    }

    /// The offset of the last byte that is not zero. Every open of a segment asks this of a 64 MiB
    /// file that is mostly preallocated zeros: `lastIndex(where:)` walks it byte by byte through
    /// generic collection calls, about a second per segment in a debug build (a quarter of the CPU
    /// of the end-to-end tests, which start statusd some hundred times). libc's `memcmp` against a
    /// block of zeros skips the zeros a block at a time; only the last non-zero block is walked.
    static func lastNonZeroOffset(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            var blockEnd = buffer.count
            while blockEnd > 0 {
                let blockStart = max(0, blockEnd - zeroBlock.count)
                let isZero = zeroBlock.withUnsafeBytes { zeros in
                    memcmp(base + blockStart, zeros.baseAddress!, blockEnd - blockStart) == 0
                }
                if !isZero {
                    var offset = blockEnd - 1
                    while buffer[offset] == 0 { offset -= 1 }
                    return offset
                }
                blockEnd = blockStart
            }
            return nil
        }
    }

    private static let zeroBlock = [UInt8](repeating: 0, count: 4096)

    /// Reads the batch at `offset`.
    func readBatch(at offset: Int) -> WALBatchRead {
        let remaining = bytes.count - offset
        if remaining <= 0 || isZero(from: offset) { return .end }
        guard remaining >= WALFormat.batchHeaderBytes else {
            return .invalid("\(remaining) bytes cannot hold a batch header")
        }
        let length = Int(integer(at: offset))
        let recordsCRC = integer(at: offset + 4)
        let count = Int(integer(at: offset + 8))
        let headerCRC = integer(at: offset + 12)
        let computedHeaderCRC = bytes.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + 12]))
        }
        guard headerCRC == computedHeaderCRC else { return .invalid("batch header checksum mismatch") }
        guard length <= batchBytesMax, length <= remaining - WALFormat.batchHeaderBytes else {
            return .invalid("batch length \(length) runs past the file or the limit")
        }
        let start = offset + WALFormat.batchHeaderBytes
        let computed = bytes.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<start + length]))
        }
        guard computed == recordsCRC else { return .invalid("batch checksum mismatch") }
        var buffer = ByteBuffer(bytes: bytes[start..<start + length])
        var records: [LogRecord] = []
        do {
            while buffer.readableBytes > 0 { records.append(try buffer.readWALRecord()) }
        } catch {
            return .invalid("a record does not decode: \(error)")
        }
        guard records.count == count else { return .invalid("batch says \(count) records, holds \(records.count)") }
        return .batch(records, bytes: WALFormat.batchHeaderBytes + length)
    }

    /// Whether some valid batch starts anywhere after `offset`: proof that an invalid batch at
    /// `offset` is not the last write, so not a torn tail.
    func containsValidBatch(after offset: Int) -> Bool {
        var candidate = offset + 1
        let last = lastNonZero ?? 0
        while candidate + WALFormat.batchHeaderBytes <= last + 1 {
            if case .batch = readBatch(at: candidate) { return true }
            candidate += 1
        }
        return false
    }

    func isZero(from offset: Int) -> Bool {
        guard let last = lastNonZero else { return true }
        return last < offset
    }

    private func integer(at offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian }
    }
}
