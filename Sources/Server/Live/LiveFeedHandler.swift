import Auth
package import Engine
import Foundation
package import HTTPTypes
package import NIOCore
package import NIOHTTPTypes
import Wire

/// Where the live feeds enter, below the router, on the connection's event loop (a long-lived answer
/// needs no task of its own):
///
/// - `GET /api/status/{slug}/events` streams Server-Sent Events from here. The stream starts with a
///   `hello` frame (the current seq), then the frames after `Last-Event-ID` (or `?since=N`) from the
///   hub's ring, or `resync` when they are too old; then live frames, each with `id: <seq>` so that a
///   browser's EventSource resumes by itself. A reader that cannot keep up (its socket buffer full
///   when frames arrive) is closed; it resumes from its last id.
/// - `GET /ws/{slug}` and `GET /ws` with a valid opening handshake become a WebSocket
///   (`WebSocketHandshake`, then `WebSocketSession`).
///
/// Anything else, and every refusal that is an HTTP answer (unknown slug, bad handshake, foreign
/// Origin), passes on to the router, which answers it as problem+json.
package final class LiveFeedHandler: ChannelDuplexHandler, RemovableChannelHandler, LiveHub.Subscriber {
    package typealias InboundIn = HTTPRequestPart
    package typealias InboundOut = HTTPRequestPart
    package typealias OutboundIn = HTTPResponsePart
    package typealias OutboundOut = HTTPResponsePart

    package struct Shared: Sendable {
        package let registry: Registry
        package let hub: LiveHub
        package let admission: LiveAdmission
        package let webSocket: WebSocketSession.Shared
        package let trustedProxies: TrustedProxies
        /// `--cors-origins`: the browser origins besides the server's own that may open `GET /ws`.
        package let origins: Set<String>
        package let serverName: String

        package init(
            registry: Registry, hub: LiveHub, admission: LiveAdmission, webSocket: WebSocketSession.Shared,
            trustedProxies: TrustedProxies, origins: Set<String>, serverName: String
        ) {
            self.registry = registry
            self.hub = hub
            self.admission = admission
            self.webSocket = webSocket
            self.trustedProxies = trustedProxies
            self.origins = origins
            self.serverName = serverName
        }
    }

    private let shared: Shared
    private var context: ChannelHandlerContext?
    /// The hub's handle on the organization this connection streams, once it does.
    private var following: LiveHub.Subscription?
    /// The client address its admission counted, while it streams.
    private var admitted: String??
    /// Parts of a request this handler took, until its end.
    private var taking = false
    /// A WebSocket opening taken at its head, made at its end.
    private var upgrading: (HTTPRequest, WebSocketSession.Opening)?
    /// Requests passed on to the router whose answer has not ended: a stream must not overtake them.
    private var routed = 0

    package init(_ shared: Shared) { self.shared = shared }

    package func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    package func handlerRemoved(context: ChannelHandlerContext) { stop(context) }

    package func channelInactive(context: ChannelHandlerContext) {
        stop(context)
        context.fireChannelInactive()
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Graceful shutdown: a stream ends with its last chunk, then the connection closes.
        if following != nil, event is ChannelShouldQuiesceEvent {
            shared.admission.count(.shutdown)
            stop(context)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if following != nil { return }  // a stream's connection carries nothing else
        switch unwrapInboundIn(data) {
        case .head(let request):
            taking = routed == 0 && request.method == .get && take(request, context: context)
            if !taking {
                routed += 1
                context.fireChannelRead(data)
            }
        case .body:
            if !taking { context.fireChannelRead(data) }
        case .end:
            guard taking else { return context.fireChannelRead(data) }
            taking = false
            if let (request, opening) = upgrading {
                upgrading = nil
                upgrade(request, opening, context: context)
            }
        }
    }

    /// Whether this handler answers `request` (a stream or a WebSocket), having started to.
    private func take(_ request: HTTPRequest, context: ChannelHandlerContext) -> Bool {
        guard let path = request.path else { return false }
        if let (slug, since) = Self.match(path), let view = shared.registry.publicViewIfAny(slug: slug) {
            let resume = request.headerFields[.lastEventID].flatMap { UInt64($0) }.map { Seq($0) } ?? since
            stream(view, resume: resume, request: request, context: context)
            return true
        }
        guard let target = WebSocketTarget(path), WebSocketHandshake.refusal(of: request) == nil else { return false }
        var opening = WebSocketSession.Opening(
            organization: nil, credential: nil, authenticated: false, home: target.organization, since: target.since,
            address: clientAddress(request, context))
        if let slug = target.slug {
            guard let organization = shared.registry.organization(slug: String(slug)),
                organization.view.state.exists
            else { return false }  // the router's 404
            opening.organization = organization
        } else {
            let origin = request.headerFields[.origin]
            guard WebSocketHandshake.allows(origin: origin, host: request.authority, allowed: shared.origins) else {
                return false  // the router's 403
            }
            opening.authenticated = true
            opening.credential = WebSocketHandshake.credential(of: request)
        }
        upgrading = (request, opening)
        return true
    }

    private func upgrade(_ request: HTTPRequest, _ opening: WebSocketSession.Opening, context: ChannelHandlerContext) {
        let session = WebSocketSession(shared.webSocket, opening: opening)
        do {
            try WebSocketHandshake.upgrade(
                request, to: session, queueBytes: shared.admission.limits.queueBytes, serverName: shared.serverName,
                context: context)
        } catch {
            context.close(promise: nil)  // a pipeline without the HTTP handlers it was built with
        }
    }

    private func clientAddress(_ request: HTTPRequest, _ context: ChannelHandlerContext) -> String? {
        shared.trustedProxies.client(
            peer: context.channel.remoteAddress?.ipAddress, forwardedFor: request.headerFields[values: .xForwardedFor])
    }

    // MARK: Server-Sent Events

    private func stream(_ view: OrgView, resume: Seq?, request: HTTPRequest, context: ChannelHandlerContext) {
        let address = clientAddress(request, context)
        if let refused = shared.admission.admit(.eventStream, from: address) {
            return refuse(refused, request: request, context: context)
        }
        admitted = .some(address)
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.accessControlAllowOrigin] = "*"  // public frames, no credentials: any page may follow them
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"  // nginx in front: do not buffer the stream
        headers.addAnswerFields(for: request, server: shared.serverName)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: headers))), promise: nil)
        guard let organization = shared.registry.organization(id: view.id) else { return }
        let (subscription, current, begin) = shared.hub.subscribe(
            self, to: organization, as: .everyone, since: resume, on: context.eventLoop)
        following = subscription
        write(LiveFrame.Control(type: "hello", org: view.slug, seq: current), retry: true, context: context)
        switch begin {
        case .replay(let frames):
            deliver(frames, to: subscription)
        case .resync:
            // The client refetches the page; live frames follow from the current seq.
            write(LiveFrame.Control(type: "resync", org: view.slug, seq: current), retry: false, context: context)
        }
        context.flush()
    }

    /// A stream refused at a limit: 503 when the server is full or trails the log, 429 when the address
    /// is full.
    private func refuse(_ reason: LiveAdmission.Reason, request: HTTPRequest, context: ChannelHandlerContext) {
        let problem =
            switch reason {
            case .serverFull: Problem(status: .serviceUnavailable, detail: "the server is at its live connection limit")
            case .behind:
                Problem(
                    status: .serviceUnavailable,
                    detail: "this node trails the event log: reconnect, another node will take the stream")
            default: Problem(status: .tooManyRequests, detail: "too many live connections from this address")
            }
        let body = (try? problem.body()) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        headers[.contentLength] = "\(body.count)"
        headers[.retryAfter] = "10"
        headers.addAnswerFields(for: request, server: shared.serverName)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: problem.status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// The router's answers pass here on their way out; each one's end lets a stream start again.
    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routed = max(0, routed - 1) }
        context.write(data, promise: promise)
    }

    package func deliver(_ frames: [LiveHub.Frame], to subscription: LiveHub.Subscription) {
        guard let context, let last = frames.last, last.seq > subscription.lastSent else { return }
        guard context.channel.isWritable else {
            // Its socket buffer is full: it is not keeping up. Closing frees its memory now; it
            // resumes from its last id.
            shared.admission.count(.slowReader)
            context.close(promise: nil)
            return
        }
        for frame in frames where frame.seq > subscription.lastSent {
            context.write(wrapOutboundOut(.body(frame.sse)), promise: nil)
        }
        subscription.lastSent = last.seq
        context.flush()
    }

    /// An SSE comment line: ignored by clients, enough to keep the connection in use.
    package func heartbeat() {
        guard let context, context.channel.isWritable else { return }
        context.writeAndFlush(wrapOutboundOut(.body(Self.comment)), promise: nil)
    }

    /// Ends the stream as a graceful shutdown does; EventSource reconnects by itself (through the load
    /// balancer, to a node that is not behind) with the last id it received.
    package func leave() {
        guard let context, following != nil else { return }
        shared.admission.count(.behind)
        stop(context)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    private static let comment = ByteBuffer(string: ":\n\n")

    private func write(_ control: LiveFrame.Control, retry: Bool, context: ChannelHandlerContext) {
        guard let json = try? control.encoded() else { return }
        var buffer = context.channel.allocator.buffer(capacity: json.count + 32)
        if retry { buffer.writeString("retry: 2000\n") }  // EventSource's reconnection delay, ms
        buffer.writeString("data: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
    }

    private func stop(_ context: ChannelHandlerContext) {
        if let following {
            shared.hub.unsubscribe(following, on: context.eventLoop)
            self.following = nil
        }
        if let address = admitted {
            shared.admission.release(.eventStream, from: address)
            admitted = nil
        }
        self.context = nil
    }

    /// `/api/status/<slug>/events`, with an optional `?since=<seq>`: the slug and the seq.
    package static func match(_ path: String) -> (slug: Substring, since: Seq?)? {
        // Every public read passes here: reject without allocating.
        guard path.hasPrefix("/api/status/") else { return nil }
        let query = path.firstIndex(of: "?")
        let route = path[..<(query ?? path.endIndex)]
        guard route.hasSuffix("/events") else { return nil }
        let slug = route.dropFirst("/api/status/".count).dropLast("/events".count)
        guard !slug.isEmpty, !slug.contains("/") else { return nil }
        var since: Seq?
        for pair in (query.map { path[path.index(after: $0)...] } ?? "").split(separator: "&") {
            guard let value = Self.since(pair) else { continue }
            guard let seq = value else { return nil }
            since = seq
        }
        return (slug, since)
    }

    /// A query pair `since=<seq>`: nil when it is another pair, `.some(nil)` when the seq is not a number.
    package static func since(_ pair: Substring) -> Seq?? {
        guard pair.hasPrefix("since=") else { return nil }
        return .some(UInt64(pair.dropFirst("since=".count)).map { Seq($0) })
    }
}

/// What a WebSocket path names: `/ws/<slug>?since=N` (public) or `/ws?org=<slug>&since=N`.
package struct WebSocketTarget {
    package let slug: Substring?
    package let organization: String?
    package let since: Seq?

    package init?(_ path: String) {
        guard path.hasPrefix("/ws") else { return nil }
        let query = path.firstIndex(of: "?")
        let route = path[..<(query ?? path.endIndex)]
        if route == "/ws" {
            slug = nil
        } else {
            guard route.hasPrefix("/ws/") else { return nil }
            let name = route.dropFirst("/ws/".count)
            guard !name.isEmpty, !name.contains("/") else { return nil }
            slug = name
        }
        var since: Seq?
        var organization: String?
        for pair in (query.map { path[path.index(after: $0)...] } ?? "").split(separator: "&") {
            if let value = LiveFeedHandler.since(pair) {
                guard let seq = value else { return nil }
                since = seq
            } else if pair.hasPrefix("org=") {
                organization = String(pair.dropFirst("org=".count))
            }
        }
        self.since = since
        self.organization = organization
    }
}

extension HTTPField.Name {
    package static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
