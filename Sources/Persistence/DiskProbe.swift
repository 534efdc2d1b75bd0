import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Measures what the disk under a directory can do, for `statusbench wal` to set the log's figures
/// beside: how many `write` + `fdatasync` pairs per second one thread completes.
public enum DiskProbe {
    /// Writes `bytes` and fdatasyncs, over and over, for `duration`, into a preallocated scratch file
    /// in `directory` (the same file system as the WAL); returns syncs per second.
    public static func fdatasyncRate(directory: String, bytes: Int = 4_096, duration: Duration) throws -> Double {
        let path = directory + "/disk-probe.tmp"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_TRUNC)
        defer { file.close() }
        let slots = 1_024
        let zeros = [UInt8](repeating: 0, count: bytes * slots)
        try file.write(zeros, at: 0)
        try file.syncData()
        let payload = [UInt8](repeating: 0xA5, count: bytes)
        let start = ContinuousClock.now
        var syncs = 0
        while ContinuousClock.now - start < duration {
            try file.write(payload, at: (syncs % slots) * bytes)
            try file.syncData()
            syncs += 1
        }
        let elapsed = ContinuousClock.now - start
        return Double(syncs) / elapsed.seconds
    }
}
