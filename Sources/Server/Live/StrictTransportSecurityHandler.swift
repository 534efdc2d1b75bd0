import HTTPTypes
package import NIOCore
package import NIOHTTPTypes

/// Adds `Strict-Transport-Security` to every response statusd writes over https: the router's, the
/// fast path's and the live feeds' (which write their own heads below the router), so it sits first
/// among statusd's handlers, where every response head passes on its way to the HTTP encoder. It
/// understands HTTP only: a WebSocket upgrade removes it with the HTTP handlers.
package final class StrictTransportSecurityHandler: ChannelOutboundHandler, RemovableChannelHandler {
    package typealias OutboundIn = HTTPResponsePart
    package typealias OutboundOut = HTTPResponsePart

    /// One year: browsers that have seen statusd over https keep to https for that long.
    static let value = "max-age=31536000"

    package init() {}

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        head.headerFields[.strictTransportSecurity] = Self.value
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}
