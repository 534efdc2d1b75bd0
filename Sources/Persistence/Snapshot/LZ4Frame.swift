import CLZ4
import NIOCore

/// Standard LZ4 frames (the `.lz4` file format), through liblz4's frame API: content checksum on, so
/// that a damaged snapshot is detected, and `lz4 -d` opens our files (invariant 7, docs/ARCHITECTURE.md).
enum LZ4Frame {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Compresses `bytes` into one frame with the content size and content checksum recorded.
    static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.frameInfo.blockSizeID = LZ4F_max4MB
        preferences.frameInfo.contentSize = UInt64(bytes.count)
        let bound = LZ4F_compressFrameBound(bytes.count, &preferences)
        var output = [UInt8](repeating: 0, count: bound)
        let written = bytes.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                LZ4F_compressFrame(target.baseAddress, bound, source.baseAddress, bytes.count, &preferences)
            }
        }
        guard LZ4F_isError(written) == 0 else {
            throw Failure(description: "lz4: \(String(cString: LZ4F_getErrorName(written)))")
        }
        output.removeLast(bound - written)
        return output
    }

    /// Decompresses one frame, checking its content checksum, straight into one buffer of the frame's
    /// recorded content size (no growing and copying: snapshots run to hundreds of megabytes).
    /// - Parameter sizeMax: refuse frames that would decompress to more than this.
    /// - Throws: `Failure` for a damaged, truncated or oversized frame.
    static func decompress(_ frame: [UInt8], sizeMax: Int = 1 << 34) throws -> ByteBuffer {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw Failure(description: "lz4: cannot create a context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        return try frame.withUnsafeBytes { source in
            var info = LZ4F_frameInfo_t()
            var headerSize = source.count
            let hint = LZ4F_getFrameInfo(context, &info, source.baseAddress, &headerSize)
            guard LZ4F_isError(hint) == 0 else {
                throw Failure(description: "lz4: \(String(cString: LZ4F_getErrorName(hint)))")
            }
            let expected = Int(info.contentSize)
            guard expected <= sizeMax else {
                throw Failure(description: "lz4: the frame holds more than \(sizeMax) bytes")
            }
            var output = ByteBufferAllocator().buffer(capacity: max(expected, 1 << 16))
            var consumed = headerSize
            var remaining = hint
            while remaining != 0 {
                guard consumed < source.count else { throw Failure(description: "lz4: the frame is truncated") }
                if output.writableBytes == 0 {
                    output.reserveCapacity(minimumWritableBytes: max(1 << 20, output.capacity))
                }
                var sourceSize = source.count - consumed
                var result = 0
                try output.writeWithUnsafeMutableBytes(minimumWritableBytes: 1) { (target) throws(Failure) -> Int in
                    var targetSize = target.count
                    result = LZ4F_decompress(
                        context, target.baseAddress, &targetSize, source.baseAddress! + consumed, &sourceSize, nil)
                    guard LZ4F_isError(result) == 0 else {
                        throw Failure(description: "lz4: \(String(cString: LZ4F_getErrorName(result)))")
                    }
                    return targetSize
                }
                remaining = result
                consumed += sourceSize
                guard output.readableBytes <= sizeMax else {
                    throw Failure(description: "lz4: the frame holds more than \(sizeMax) bytes")
                }
            }
            guard consumed == source.count else {
                throw Failure(description: "lz4: \(source.count - consumed) bytes after the frame")
            }
            return output
        }
    }
}
