/// Names of handlers that a target above this one adds to a connection's pipeline and the WebSocket
/// upgrade must find without knowing their types.
package enum ConnectionHandlerNames {
    /// The TLS handler on https connections: a WebSocket's handlers go right after it.
    package static let tls = "statusd.tls"
}
