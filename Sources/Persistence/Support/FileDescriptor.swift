import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file opened with POSIX calls: positional reads and writes, fdatasync, truncation. Foundation's
/// `FileHandle` has no pwrite or fdatasync, and the WAL needs both. Every failure names the file.
/// Every call first asks `FileFaults`, the seam through which tests make the disk fail.
struct FileDescriptor: Sendable {
    let fd: Int32
    let path: String

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws -> FileDescriptor {
        _ = try FileFaults.check(.open, path)
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Self.error(path, "open") }
        return FileDescriptor(fd: fd, path: path)
    }

    static func error(_ path: String, _ call: String, offset: Int = 0) -> PersistenceError {
        let code = errno
        return PersistenceError(
            .io(errno: code), path: path, offset: offset, "\(call) failed: \(String(cString: strerror(code)))")
    }

    /// Writes all of `bytes` at `offset`, retrying short writes and EINTR.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let allowed = try FileFaults.check(.write, path, bytes: bytes.count - done)
            let result = pwrite(fd, bytes.baseAddress! + done, allowed, off_t(offset + done))
            if result < 0 {
                if errno == EINTR { continue }
                throw Self.error(path, "pwrite", offset: offset + done)
            }
            done += result
        }
    }

    func write(_ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(count: Int, at offset: Int) throws -> [UInt8] {
        _ = try FileFaults.check(.read, path)
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = bytes.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw Self.error(path, "pread", offset: offset + done)
            }
            if result == 0 { break }
            done += result
        }
        bytes.removeLast(count - done)
        return bytes
    }

    /// Flushes the file's data (and the metadata needed to read it) to stable storage.
    func syncData() throws {
        _ = try FileFaults.check(.sync, path)
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw Self.error(path, "fdatasync") }
        }
    }

    /// Flushes data and all metadata (used on directories after a rename or create).
    func sync() throws {
        _ = try FileFaults.check(.sync, path)
        while fsync(fd) != 0 {
            if errno != EINTR { throw Self.error(path, "fsync") }
        }
    }

    func size() throws -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.error(path, "fstat") }
        return Int(info.st_size)
    }

    func truncate(to length: Int) throws {
        _ = try FileFaults.check(.truncate, path)
        guard ftruncate(fd, off_t(length)) == 0 else { throw Self.error(path, "ftruncate", offset: length) }
    }

    /// The whole of a file, read with one allocation of its size.
    static func readAll(_ path: String) throws -> [UInt8] {
        let file = try open(path, flags: O_RDONLY)
        defer { file.close() }
        return try file.read(count: try file.size(), at: 0)
    }

    /// Renames `source` to `target` (atomically replacing it).
    static func rename(_ source: String, to target: String) throws {
        _ = try FileFaults.check(.rename, source)
        guard Glibc.rename(source, target) == 0 else { throw error(target, "rename") }
    }

    /// Deletes a file; one that is already gone is not an error.
    static func remove(_ path: String) throws {
        _ = try FileFaults.check(.remove, path)
        guard unlink(path) == 0 || errno == ENOENT else { throw error(path, "unlink") }
    }

    func close() {
        _ = Glibc.close(fd)
    }

    /// fsyncs a directory, making the creations and renames in it durable.
    static func syncDirectory(_ path: String) throws {
        let directory = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { directory.close() }
        try directory.sync()
    }
}
