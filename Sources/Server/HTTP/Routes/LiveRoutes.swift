import Auth
package import Engine
package import Hummingbird
import Live
import Wire

/// The router's side of the live feeds: what `LiveFeedHandler` leaves to it, which is only ever a
/// refusal (an unknown slug, a `since` that is not a number, a request that is not a WebSocket
/// handshake, a foreign Origin, a stream asked for behind pipelined requests).
package struct LiveRoutes: Sendable {
    package let registry: Registry
    /// `--cors-origins`, as `LiveFeedHandler` reads it.
    package let origins: Set<String>

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/status/:slug/events", use: refuseEventStream)
        router.get("/ws/:slug", use: refusePublicWebSocket)
        router.get("/ws", use: refuseWebSocket)
    }

    @Sendable package func refuseEventStream(request: Request, context: StatusdRequestContext) throws -> Response {
        try checkSince(request)
        _ = try registry.publicView(slug: context.parameters.get("slug") ?? "")
        throw Problem(
            status: .badRequest, detail: "an event stream cannot follow other pipelined requests on one connection")
    }

    @Sendable package func refusePublicWebSocket(request: Request, context: StatusdRequestContext) throws -> Response {
        try checkSince(request)
        _ = try registry.publicView(slug: context.parameters.get("slug") ?? "")
        throw try handshakeProblem(request)
    }

    @Sendable package func refuseWebSocket(request: Request, context: StatusdRequestContext) throws -> Response {
        try checkSince(request)
        guard
            WebSocketHandshake.allows(
                origin: request.headers[.origin], host: request.head.authority, allowed: origins)
        else {
            throw Problem(
                status: .forbidden,
                detail: "the authenticated feed does not accept pages from this Origin (see --cors-origins)")
        }
        throw try handshakeProblem(request)
    }

    private func checkSince(_ request: Request) throws {
        if let since = request.uri.queryParameters.get("since"), UInt64(since) == nil {
            throw Problem(status: .unprocessableContent, detail: "since must be a seq (a whole number)", field: "since")
        }
    }

    /// 426 with what is missing; a valid handshake only gets here behind pipelined requests.
    private func handshakeProblem(_ request: Request) throws -> Problem {
        if let refusal = WebSocketHandshake.refusal(of: request.head) {
            return Problem(
                status: .upgradeRequired, detail: refusal,
                headers: [.upgrade: "websocket", .secWebSocketVersion: "13"])
        }
        return Problem(status: .badRequest, detail: "a WebSocket cannot open behind other pipelined requests")
    }

    package init(registry: Registry, origins: Set<String>) {
        self.registry = registry
        self.origins = origins
    }
}
