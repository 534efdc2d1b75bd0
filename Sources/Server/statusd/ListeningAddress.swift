import Synchronization

/// Where the HTTP server listens (`host:port`), known once it has bound (`--port 0` picks the port):
/// what a cluster node reports of itself in `statusd_nodes`, and where the https redirect points.
final class ListeningAddress: Sendable {
    private let value = Mutex<String?>(nil)

    var address: String? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }

    /// The port it bound, once it has.
    var port: Int? { address?.split(separator: ":").last.flatMap { Int($0) } }
}
