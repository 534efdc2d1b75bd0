import Engine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes

/// `GET /api/status/{slug}/events`: the public live feed as Server-Sent Events, served on the
/// connection's event loop below the router (a long-lived answer needs no task of its own). The
/// stream starts with a `hello` frame (the current seq), then the frames after `Last-Event-ID` (or
/// `?since=N`) from the hub's ring, or `resync` when they are too old; then live frames, each with
/// `id: <seq>` so that a browser's EventSource resumes by itself. A reader that cannot keep up (its
/// socket buffer full when frames arrive) is closed; it resumes from its last id.
final class EventStreamHandler: ChannelDuplexHandler, RemovableChannelHandler, LiveHub.Subscriber {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Shared: Sendable {
        let registry: Registry
        let hub: LiveHub
        let serverName: String
    }

    private let shared: Shared
    private var context: ChannelHandlerContext?
    /// The organization this connection follows, once it streams.
    private var following: OrgID?
    /// Parts of a request this handler took, until its end.
    private var taking = false
    /// The seq of the last frame written: a frame at or below it is not written again.
    private var lastSent = Seq.zero
    /// Requests passed on to the router whose answer has not ended: a stream must not overtake them.
    private var routed = 0

    init(_ shared: Shared) { self.shared = shared }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { stop(context) }

    func channelInactive(context: ChannelHandlerContext) {
        stop(context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if following != nil { return }  // a stream's connection carries nothing else
        switch unwrapInboundIn(data) {
        case .head(let request):
            guard routed == 0, request.method == .get, let path = request.path,
                let (slug, since) = Self.match(path), let view = shared.registry.publicViewIfAny(slug: slug)
            else {
                taking = false
                routed += 1
                return context.fireChannelRead(data)
            }
            taking = true
            let resume = request.headerFields[.lastEventID].flatMap { UInt64($0) }.map { Seq($0) } ?? since
            start(view, resume: resume, request: request, context: context)
        case .body, .end:
            if !taking { context.fireChannelRead(data) }
        }
    }

    private func start(_ view: OrgView, resume: Seq?, request: HTTPRequest, context: ChannelHandlerContext) {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.accessControlAllowOrigin] = "*"  // public frames, no credentials: any page may follow them
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"  // nginx in front: do not buffer the stream
        headers.addAnswerFields(for: request, server: shared.serverName)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: headers))), promise: nil)
        following = view.id
        let current = view.publicSeq
        // Without a seq to resume from, the client starts from the one `hello` announces; frames
        // published since the view was read are replayed from the ring.
        let from = resume ?? current
        let begin = shared.hub.subscribe(self, to: view.id, since: from, on: context.eventLoop, current: current)
        write(control: "hello", org: view.slug, seq: current, retry: true, context: context)
        switch begin {
        case .replay(let frames):
            lastSent = from
            deliver(frames)
        case .resync:
            // The client refetches the page; live frames follow from the current seq.
            write(control: "resync", org: view.slug, seq: current, retry: false, context: context)
            lastSent = current
        }
        context.flush()
    }

    /// The router's answers pass here on their way out; each one's end lets a stream start again.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routed = max(0, routed - 1) }
        context.write(data, promise: promise)
    }

    func deliver(_ frames: [LiveHub.Frame]) {
        guard let context else { return }
        let fresh = frames.filter { $0.seq > lastSent }
        guard !fresh.isEmpty else { return }
        guard context.channel.isWritable else {
            // Its socket buffer is full: it is not keeping up. Closing frees its memory now; it
            // resumes from its last id.
            context.close(promise: nil)
            return
        }
        for frame in fresh { context.write(wrapOutboundOut(.body(frame.sse)), promise: nil) }
        lastSent = fresh[fresh.count - 1].seq
        context.flush()
    }

    /// An SSE comment line: ignored by clients, enough to keep the connection in use.
    func heartbeat() {
        guard let context, context.channel.isWritable else { return }
        context.writeAndFlush(wrapOutboundOut(.body(Self.comment)), promise: nil)
    }

    private static let comment = ByteBuffer(string: ":\n\n")

    private func write(control type: String, org: String, seq: Seq, retry: Bool, context: ChannelHandlerContext) {
        guard let json = try? LiveFrame.control(type, org: org, seq: seq) else { return }
        var buffer = context.channel.allocator.buffer(capacity: json.count + 32)
        if retry { buffer.writeString("retry: 2000\n") }  // EventSource's reconnection delay, ms
        buffer.writeString("data: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
    }

    private func stop(_ context: ChannelHandlerContext) {
        if let following {
            shared.hub.unsubscribe(self, from: following, on: context.eventLoop)
            self.following = nil
        }
        self.context = nil
    }

    /// `/api/status/<slug>/events`, with an optional `?since=<seq>`: the slug and the seq.
    static func match(_ path: String) -> (slug: Substring, since: Seq?)? {
        // Every public read passes here: reject without allocating.
        guard path.hasPrefix("/api/status/") else { return nil }
        let query = path.firstIndex(of: "?")
        let route = path[..<(query ?? path.endIndex)]
        guard route.hasSuffix("/events") else { return nil }
        let slug = route.dropFirst("/api/status/".count).dropLast("/events".count)
        guard !slug.isEmpty, !slug.contains("/") else { return nil }
        var since: Seq?
        if let query {
            for pair in path[path.index(after: query)...].split(separator: "&") where pair.hasPrefix("since=") {
                guard let value = UInt64(pair.dropFirst("since=".count)) else { return nil }
                since = Seq(value)
            }
        }
        return (slug, since)
    }
}

extension HTTPField.Name {
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}

/// The router's side of `GET /api/status/{slug}/events`: what `EventStreamHandler` leaves to it,
/// which is only ever an error (an unknown slug, a `since` that is not a number).
struct EventStreamRoutes: Sendable {
    let registry: Registry

    func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/status/:slug/events", use: refuse)
    }

    @Sendable func refuse(request: Request, context: StatusdRequestContext) throws -> Response {
        if let since = request.uri.queryParameters.get("since"), UInt64(since) == nil {
            throw Problem(status: .unprocessableContent, detail: "since must be a seq (a whole number)", field: "since")
        }
        _ = try registry.publicView(slug: context.parameters.get("slug") ?? "")
        throw Problem(
            status: .badRequest, detail: "an event stream cannot follow other pipelined requests on one connection")
    }
}
