public import Foundation  // FileHandle and Data are in the API.

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a child process's output with `read(2)`, retrying on EINTR. Foundation's own readers
/// (`availableData`, `readData(ofLength:)`, `readDataToEndOfFile()`) end in `try!` or `fatalError` on
/// any error, EINTR included, and a signal arriving while one of them blocks takes the whole test
/// process down; use these instead.
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

    /// Everything up to end of file.
    public static func toEnd(_ handle: FileHandle) -> Data {
        var data = Data()
        while let chunk = next(handle) { data += chunk }
        return data
    }

    /// The bytes up to the first newline (blocking), as text; what came before end of file if none.
    /// Reads one byte at a time, so that nothing after the line is taken from the pipe.
    public static func line(_ handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(handle.fileDescriptor, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1, byte != UInt8(ascii: "\n") else { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
