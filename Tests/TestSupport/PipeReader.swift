public import Foundation  // FileHandle and Data are in the API.

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a child process's output with `read(2)`, retrying on EINTR. Foundation's `availableData`
/// traps on EINTR, which SIGCHLD from the processes the tests kill makes common.
public enum PipeReader {
    /// The next bytes from `handle`, or nil at end of file.
    public static func next(_ handle: FileHandle) -> Data? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 { return Data(buffer[0..<count]) }
            if count == 0 { return nil }
            if errno == EINTR { continue }
            return nil
        }
    }
}
