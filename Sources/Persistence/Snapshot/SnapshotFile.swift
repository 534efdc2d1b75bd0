import Dispatch
import Engine
import Foundation
import NIOCore
import Synchronization

/// The content of a snapshot file, before LZ4 (docs/FORMAT.md "Snapshot"): a header, the directory,
/// then one length-prefixed record per organization.
enum SnapshotFile {
    static let magic = Array("STATUSSN".utf8)
    /// 2 adds each organization's verified custom domain at the end of its record, 3 its keyed commands
    /// (Idempotency-Keys); 1 and 2 are still read.
    static let versionCurrent: UInt16 = 4

    static func encode(_ capture: SnapshotCapture) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeBytes(magic)
        buffer.writeWALInteger(versionCurrent)
        buffer.writeWALInteger(UInt16(0))
        buffer.writeWALInteger(UInt32(0))
        buffer.writeWALInteger(capture.replayFrom.rawValue)
        buffer.writeWALInteger(capture.logEnd.rawValue)
        buffer.writeWALInteger(UInt32(capture.organizations.count))
        writeLengthPrefixed(&buffer) { $0.writeSnapshotDirectory(capture.directory) }
        for state in capture.organizations {
            writeLengthPrefixed(&buffer) { $0.writeSnapshotOrg(state) }
        }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// The header alone, for tools that list snapshots.
    struct Header {
        let version: UInt16
        let replayFrom: LogPosition
        let logEnd: LogPosition
        let organizations: Int
    }

    static func readHeader(_ buffer: inout ByteBuffer) throws -> Header {
        guard buffer.readBytes(length: magic.count) == magic else {
            throw CodecError("not a statusd snapshot (bad magic)")
        }
        let version = try buffer.readWALInteger(as: UInt16.self)
        guard version <= versionCurrent else {
            throw SnapshotVersionError(found: Int(version))
        }
        _ = try buffer.readWALInteger(as: UInt16.self)
        _ = try buffer.readWALInteger(as: UInt32.self)
        return Header(
            version: version, replayFrom: LogPosition(try buffer.readWALInteger(as: UInt64.self)),
            logEnd: LogPosition(try buffer.readWALInteger(as: UInt64.self)),
            organizations: Int(try buffer.readWALInteger(as: UInt32.self)))
    }

    /// Decodes a whole snapshot. Organizations are independent length-prefixed records, so they are
    /// decoded on every core at once: restart time is mostly this.
    static func decode(_ bytes: ByteBuffer) throws -> SnapshotCapture {
        var buffer = bytes
        let header = try readHeader(&buffer)
        var directorySlice = try readLengthPrefixed(&buffer)
        let directory = try directorySlice.readSnapshotDirectory()
        // Each organization takes at least its 4-byte length: a count beyond that is damage, and must
        // not reserve memory for it (found by the `snapshot` fuzz target: 72 GB asked for).
        guard header.organizations <= buffer.readableBytes / 4 else {
            throw CodecError("\(header.organizations) organizations in \(buffer.readableBytes) bytes")
        }
        var slices: [ByteBuffer] = []
        slices.reserveCapacity(header.organizations)
        for _ in 0..<header.organizations { slices.append(try readLengthPrefixed(&buffer)) }
        guard buffer.readableBytes == 0 else {
            throw CodecError("\(buffer.readableBytes) bytes after the last organization")
        }
        let organizations = try decodeInParallel(slices, version: header.version)
        return SnapshotCapture(
            replayFrom: header.replayFrom, logEnd: header.logEnd, directory: directory, organizations: organizations)
    }

    private static func decodeInParallel(_ slices: [ByteBuffer], version: UInt16) throws -> [OrgState] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, slices.count / 64))
        let results = Mutex<[Int: Result<[OrgState], any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let range = (slices.count * worker / workers)..<(slices.count * (worker + 1) / workers)
            let result = Result { () throws -> [OrgState] in
                try range.map { index in
                    var slice = slices[index]
                    let state = try slice.readSnapshotOrg(version: version)
                    guard slice.readableBytes == 0 else {
                        throw CodecError("\(slice.readableBytes) bytes left after an organization")
                    }
                    return state
                }
            }
            results.withLock { $0[worker] = result }
        }
        let parts = results.withLock { $0 }
        return try (0..<workers).flatMap { try parts[$0]!.get() }
    }

    private static func writeLengthPrefixed(_ buffer: inout ByteBuffer, _ write: (inout ByteBuffer) -> Void) {
        let start = buffer.writerIndex
        buffer.writeWALInteger(UInt32(0))
        write(&buffer)
        buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start, endianness: .little)
    }

    private static func readLengthPrefixed(_ buffer: inout ByteBuffer) throws -> ByteBuffer {
        let length = Int(try buffer.readWALInteger(as: UInt32.self))
        guard let slice = buffer.readSlice(length: length) else {
            throw CodecError("a record of \(length) bytes runs past the snapshot")
        }
        return slice
    }
}

/// A snapshot written by a newer statusd.
struct SnapshotVersionError: Error {
    let found: Int
}
