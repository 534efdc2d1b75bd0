import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A statusd data directory, held by one process at a time through an advisory lock on `LOCK`
///: two processes never write one log.
///
/// Layout: `LOCK`, `wal/` (segments), and later `snapshots/` and `archive/`.
public final class DataDirectory: Sendable {
    public let path: String
    private let lock: FileDescriptor

    public var walPath: String { path + "/wal" }

    private init(path: String, lock: FileDescriptor) {
        self.path = path
        self.lock = lock
    }

    /// Creates the directory if needed and takes its lock.
    /// - Throws: `PersistenceError.locked` naming the holder's pid when another process has it.
    public static func open(_ path: String) throws -> DataDirectory {
        let path = URL(fileURLWithPath: path).standardizedFileURL.path
        try makeDirectories(path + "/wal", of: path)
        let lockPath = path + "/LOCK"
        let lock: FileDescriptor
        do {
            lock = try FileDescriptor.open(lockPath, flags: O_RDWR | O_CREAT, mode: 0o600)
        } catch let error as PersistenceError {
            guard case .io(let code) = error.code else { throw error }
            throw unusable(path, error.detail, errno: code)
        }
        guard flock(lock.fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines)
            lock.close()
            throw PersistenceError(
                .locked, path: lockPath,
                "the data directory is in use by another statusd (pid \(holder ?? "unknown")); stop it or use its operator API"
            )
        }
        try lock.truncate(to: 0)
        try lock.write(Array("\(getpid())\n".utf8), at: 0)
        return DataDirectory(path: path, lock: lock)
    }

    /// `mkdir -p`, with the failing directory and errno in the error (Foundation's message is an
    /// NSError dump).
    private static func makeDirectories(_ target: String, of dataPath: String) throws {
        var current = ""
        for component in target.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                let code = errno
                throw unusable(dataPath, "cannot create \(current): \(String(cString: strerror(code)))", errno: code)
            }
        }
        var info = stat()
        guard stat(target, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw unusable(dataPath, "\(target) is not a directory", errno: ENOTDIR)
        }
    }

    /// A data directory statusd cannot create or write: one line that says what to do.
    private static func unusable(_ path: String, _ reason: String, errno code: Int32) -> PersistenceError {
        PersistenceError(
            .io(errno: code), path: path,
            "cannot use the data directory (\(reason)): it must be a directory the user statusd runs as (uid \(getuid())) can write, on a writable file system"
        )
    }

    /// Whether another process holds the directory now (for offline tools).
    public static func isLocked(_ path: String) -> Bool {
        guard let probe = try? FileDescriptor.open(path + "/LOCK", flags: O_RDWR) else { return false }
        defer { probe.close() }
        if flock(probe.fd, LOCK_EX | LOCK_NB) == 0 {
            flock(probe.fd, LOCK_UN)
            return false
        }
        return true
    }

    /// Releases the lock (also released by the kernel when the process exits, even by SIGKILL).
    public func close() {
        flock(lock.fd, LOCK_UN)
        lock.close()
    }
}
