import Foundation
import Testing

@testable import Persistence

#if canImport(Glibc)
    import Glibc
#endif

/// Direct writes leave exactly the bytes buffered writes would, whatever the alignment of each batch.
@Suite struct DirectBlockWriterTests {
    @Test func batchesOfEveryAlignment_leaveTheSameBytesAsBufferedWrites() throws {
        let fixture = WALFixture()
        try FileManager.default.createDirectory(atPath: fixture.path, withIntermediateDirectories: true)
        let path = fixture.path + "/segment"
        let size = 64 << 10
        try Data(count: size).write(to: URL(fileURLWithPath: path))
        guard let file = try? FileDescriptor.open(path, flags: O_WRONLY | DirectBlockWriter.openFlag) else {
            return  // this file system refuses O_DIRECT; statusd falls back to buffered writes there
        }
        defer { file.close() }
        var expected = [UInt8](repeating: 0, count: size)
        var offset = 32
        let writer = try DirectBlockWriter(path: path, offset: offset)
        // Lengths that end mid-block, exactly on a boundary, and span several blocks.
        for (index, length) in [100, 4_096 - 132, 4_096, 1, 9_000, 4_095, 8_192, 333].enumerated() {
            let batch = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &+ 1) }
            try batch.withUnsafeBytes { try writer.write($0, at: offset, to: file) }
            expected.replaceSubrange(offset..<(offset + length), with: batch)
            offset += length
        }
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == expected)
    }
}
