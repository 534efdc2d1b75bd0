/// Why a file operation or a recovery failed. Every case carries the file and the byte offset, so
/// that an operator can find the bytes.
public struct PersistenceError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// Bytes that fail their checksum or do not decode, where a torn write cannot explain them.
        case corrupt
        /// The last batch of the log is incomplete: repaired at start-up, reported for tools.
        case tornTail
        /// A file written by a newer statusd.
        case unsupportedVersion(found: Int, supported: Int)
        /// A write or fsync failed: the log accepts nothing more in this process.
        case logFailed
        /// Another process holds the data directory.
        case locked
        /// An operating-system call failed (open, read, rename, ...).
        case io(errno: Int32)
        /// A record or batch over its configured limit.
        case tooLarge
        /// The data directory is a cluster node's (its events are on PostgreSQL), opened as a local one.
        case clusterNode
    }

    public let code: Code
    public let path: String
    public let offset: Int
    public let detail: String

    public init(_ code: Code, path: String, offset: Int = 0, _ detail: String) {
        self.code = code
        self.path = path
        self.offset = offset
        self.detail = detail
    }

    public var description: String { "\(path) at byte \(offset): \(detail)" }
}
