package import Hummingbird
package import Live
package import NIOCore

/// The request context of every statusd route: Hummingbird's core, plus the peer's address (the
/// basic context drops it) and the proxies trusted to name the client behind them.
package struct StatusdRequestContext: RequestContext, RemoteAddressRequestContext {
    package var coreContext: CoreRequestContextStorage
    /// The TCP peer: the client itself, or a proxy in front of statusd.
    package let remoteAddress: SocketAddress?
    /// Set by `RequestLogMiddleware` from the configuration.
    package var trustedProxies = TrustedProxies.none

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's address: the peer's, or the one a trusted proxy forwarded (`X-Forwarded-For`).
    package func clientAddress(of request: Request) -> String? {
        trustedProxies.client(peer: remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor])
    }
}
