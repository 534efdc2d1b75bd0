import Auth
package import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Live
package import Mustache
package import NIOCore
package import NIOHTTPTypes
import Wire

/// The public summary (`GET /api/status/{slug}`, `GET /api/public/{slug}/status`) and the status page
/// (`GET /status/{slug}`) answered on the connection's event loop, below Hummingbird's router. Measured (BENCHMARKS.md "read-vs-nginx"):
/// the route itself is a few percent of a read; most of the CPU went to handing each request from
/// the event loop to a task on the cooperative pool and back (Hummingbird's `NIOAsyncChannel`
/// design). During an outage this one document is what the crowd reloads, so it skips the hop.
///
/// It answers exactly what the router's route answers (the same `CachedRepresentation.answer`,
/// bytes, ETag, 304 and gzip), adds `Date`, `Server` and `X-Request-ID` as the router's path does,
/// and counts the read in the same request metrics. Anything else, or anything unusual, goes on to
/// the router untouched: other paths, a query string, `Origin` (CORS headers are the router's
/// middleware's), `Connection` other than keep-alive (closing is the router's), an unknown slug (its
/// problem+json).
/// A client may pipeline: while a request it passed on is unanswered, later ones are passed on too
/// (the router answers in order), so a fast answer never overtakes a slow one.
package final class PublicReadFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = HTTPRequestPart
    package typealias InboundOut = HTTPRequestPart
    package typealias OutboundIn = HTTPResponsePart
    package typealias OutboundOut = HTTPResponsePart

    package struct Shared: Sendable {
        package let registry: Registry
        package let representation: CachedRepresentation
        package let metrics: RequestMetrics
        package let serverName: String
        /// The status page's templates (`StatusPageRoutes.page`).
        package let pages: MustacheLibrary
        /// Whether the status page offers "Subscribe to updates".
        package let mailAvailable: Bool

        package init(
            registry: Registry, representation: CachedRepresentation, metrics: RequestMetrics, serverName: String,
            pages: MustacheLibrary, mailAvailable: Bool = false
        ) {
            self.mailAvailable = mailAvailable
            self.registry = registry
            self.representation = representation
            self.metrics = metrics
            self.serverName = serverName
            self.pages = pages
        }
    }

    private enum State {
        case idle
        /// Answering this request here once its end arrives (a GET's body is ignored, as the router does).
        case answering(CachedRepresentation.Answer, route: String, started: ContinuousClock.Instant)
        /// Passing this request's parts on to the router.
        case forwarding
    }

    private let shared: Shared
    private var state = State.idle
    /// Requests passed on to the router whose answer has not ended yet.
    private var routed = 0

    package init(_ shared: Shared) { self.shared = shared }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (part, state) {
        case (.head(let request), _):
            if routed == 0, let (answer, route) = answer(request) {
                state = .answering(answer, route: route, started: .now)
            } else {
                state = .forwarding
                routed += 1
                context.fireChannelRead(data)
            }
        case (.body, .answering):
            break
        case (.end, .answering(let answer, let route, let started)):
            state = .idle
            write(answer, context: context)
            shared.metrics.record(
                route: route, method: .get, status: answer.status.code, duration: ContinuousClock.now - started)
        case (.end, _):
            state = .idle
            context.fireChannelRead(data)
        case (.body, _):
            context.fireChannelRead(data)
        }
    }

    /// The router's answers pass here on their way out; each one's end frees the fast path again.
    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routed = max(0, routed - 1) }
        context.write(data, promise: promise)
    }

    /// The answer and route template when this request is one the fast path takes; nil otherwise.
    private func answer(_ request: HTTPRequest) -> (CachedRepresentation.Answer, String)? {
        guard request.method == .get, let path = request.path, request.headerFields[.origin] == nil,
            Self.keepsAlive(request.headerFields[.connection]),
            let (slug, route) = Self.match(path), let view = shared.registry.publicViewIfAny(slug: slug)
        else { return nil }
        let ifNoneMatch = request.headerFields[.ifNoneMatch]
        let acceptEncoding = request.headerFields[.acceptEncoding]
        var answer: CachedRepresentation.Answer
        do {
            if route == Self.pageRoute {
                let page = StatusPageRoutes.page(
                    of: view, library: shared.pages, mailAvailable: shared.mailAvailable, now: WallClock.now())
                answer = try shared.representation.answer(
                    ifNoneMatch: ifNoneMatch, acceptEncoding: acceptEncoding, view: view, key: page.key,
                    contentType: StatusPageRoutes.htmlType, variant: page.variant, render: page.render)
                for field in StatusPageRoutes.securityHeaders { answer.headers[field.name] = field.value }
            } else {
                answer = try shared.representation.answer(
                    ifNoneMatch: ifNoneMatch, acceptEncoding: acceptEncoding, view: view,
                    key: PublicStatusRoutes.summaryKey, contentType: PublicStatusRoutes.jsonType,
                    render: PublicStatusRoutes.renderSummary)
            }
        } catch {
            return nil  // the router's path reports the failure as problem+json
        }
        answer.headers.addAnswerFields(for: request, server: shared.serverName)
        answer.headers[.contentLength] = String(answer.body?.readableBytes ?? 0)
        return (answer, route)
    }

    private func write(_ answer: CachedRepresentation.Answer, context: ChannelHandlerContext) {
        let head = HTTPResponse(status: answer.status, headerFields: answer.headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body = answer.body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// No `Connection` header, or `keep-alive` (what browsers and load generators send): anything
    /// else (`close`, `upgrade`) is the router's to handle.
    package static func keepsAlive(_ connection: String?) -> Bool {
        guard let connection else { return true }
        return connection.utf8.count == 10 && connection.lowercased() == "keep-alive"
    }

    package static let pageRoute = "/status/{slug}"

    /// `/api/status/<slug>`, `/api/public/<slug>/status` or `/status/<slug>`, without a query: the slug
    /// and the route template the router would have matched.
    package static func match(_ path: String) -> (slug: Substring, route: String)? {
        let utf8 = path.utf8
        guard !utf8.contains(UInt8(ascii: "?")) else { return nil }
        if path.hasPrefix("/status/") {
            let slug = path.dropFirst("/status/".count)
            return isSlug(slug) ? (slug, pageRoute) : nil
        }
        if path.hasPrefix("/api/status/") {
            let slug = path.dropFirst("/api/status/".count)
            return isSlug(slug) ? (slug, "/api/status/{slug}") : nil
        }
        if path.hasPrefix("/api/public/"), path.hasSuffix("/status") {
            let slug = path.dropFirst("/api/public/".count).dropLast("/status".count)
            return isSlug(slug) ? (slug, "/api/public/{slug}/status") : nil
        }
        return nil
    }

    private static func isSlug(_ text: Substring) -> Bool {
        (2...40).contains(text.utf8.count)
            && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }
}
