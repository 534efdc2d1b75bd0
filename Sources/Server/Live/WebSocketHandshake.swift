import Auth
import Foundation
package import HTTPTypes
package import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import Wire

/// The opening handshake of `GET /ws` and `GET /ws/{slug}` (RFC 6455 section 4.2), done below the
/// router as NIO's own upgrade handler does it (Hummingbird builds the HTTP/1 pipeline without one):
/// check the request, stop the HTTP decoder, answer 101, then swap the HTTP handlers for a frame
/// decoder and the connection's `WebSocketSession`.
package enum WebSocketHandshake {

    /// Why `request` is not a WebSocket opening handshake statusd accepts, or nil when it is.
    package static func refusal(of request: HTTPRequest) -> String? {
        let fields = request.headerFields
        guard request.method == .get else { return "a WebSocket opens with GET" }
        guard tokens(fields[values: .upgrade]).contains("websocket"),
            tokens(fields[values: .connection]).contains("upgrade")
        else { return "this is a WebSocket endpoint: send Upgrade: websocket and Connection: Upgrade" }
        guard fields[.secWebSocketVersion] == "13" else { return "Sec-WebSocket-Version must be 13" }
        guard let key = fields[.secWebSocketKey], Data(base64Encoded: key)?.count == 16 else {
            return "Sec-WebSocket-Key must be 16 bytes in base64"
        }
        return nil
    }

    /// Whether a browser page from `origin` may open the authenticated feed: the server's own
    /// origin (same host) or one the operator allowed with `--cors-origins`. A request without
    /// `Origin` is not from a browser page and may.
    package static func allows(origin: String?, host: String?, allowed: Set<String>) -> Bool {
        guard let origin else { return true }
        if allowed.contains(origin) { return true }
        guard let host, let url = URL(string: origin), let originHost = url.host else { return false }
        let port = url.port.map { ":\($0)" } ?? ""
        return (originHost + port).lowercased() == host.lowercased()
    }

    /// The credential of an upgrade request: `Authorization: Bearer`, or the dashboard's cookie.
    package static func credential(of request: HTTPRequest) -> String? {
        if let header = request.headerFields[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]) : header
        }
        return SessionCookie.token(inCookies: request.headerFields[values: .cookie])
    }

    /// Answers 101 and turns the connection into a WebSocket served by `session`. Called on the
    /// request's end by the handler at `context`, which leaves the pipeline with the HTTP handlers.
    package static func upgrade(
        _ request: HTTPRequest, to session: WebSocketSession, queueBytes: Int, serverName: String,
        context: ChannelHandlerContext
    ) throws {
        let pipeline = context.pipeline.syncOperations
        // Parse no more HTTP: what follows the request are frames (a client waits for the 101
        // before it sends any, so nothing is left in the decoder).
        pipeline.removeHandler(try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self), promise: nil)
        var headers = HTTPFields()
        headers[.upgrade] = "websocket"
        headers[.connection] = "Upgrade"
        headers[.secWebSocketAccept] = WebSocketWire.accept(key: request.headerFields[.secWebSocketKey] ?? "")
        headers.addAnswerFields(for: request, server: serverName)
        context.write(
            NIOAny(HTTPResponsePart.head(HTTPResponse(status: .switchingProtocols, headerFields: headers))),
            promise: nil)
        context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil)), promise: nil)
        pipeline.removeHandler(try pipeline.handler(type: HTTPResponseEncoder.self), promise: nil)
        pipeline.removeHandler(try pipeline.handler(type: HTTP1ToHTTPServerCodec.self), promise: nil)
        pipeline.removeHandler(try pipeline.handler(type: RequestIntakeHandler.self), promise: nil)
        if let strictTransport = try? pipeline.handler(type: StrictTransportSecurityHandler.self) {
            pipeline.removeHandler(strictTransport, promise: nil)
        }
        pipeline.removeHandler(context: context, promise: nil)
        // The reader's queue: past `queueBytes` unsent, the channel is not writable and the session
        // closes it as too slow.
        try context.channel.syncOptions?.setOption(
            ChannelOptions.writeBufferWaterMark, value: .init(low: queueBytes / 2, high: queueBytes))
        // Frames come right after the transport: first in the pipeline, or after TLS on https.
        let transport = try? pipeline.context(name: ConnectionHandlerNames.tls)
        try pipeline.addHandlers(
            [ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: session.messageBytes)), session],
            position: transport.map { .after($0.handler) } ?? .first)
    }

    /// The comma-separated tokens of a header's values, lowercased.
    private static func tokens(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }
}
