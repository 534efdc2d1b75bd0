import Hummingbird
import NIOCore

/// The request context of every statusd route: Hummingbird's core, plus the peer's address (the
/// basic context drops it) and the proxies trusted to name the client behind them.
struct StatusdRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The TCP peer: the client itself, or a proxy in front of statusd.
    let remoteAddress: SocketAddress?
    /// Set by `RequestLogMiddleware` from the configuration.
    var trustedProxies = TrustedProxies.none

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's address: the peer's, or the one a trusted proxy forwarded (`X-Forwarded-For`).
    func clientAddress(of request: Request) -> String? {
        trustedProxies.client(peer: remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor])
    }
}
