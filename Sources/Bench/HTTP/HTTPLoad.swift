import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A closed-loop HTTP/1.1 load generator on plain NIO: each connection sends one request, waits for
/// the whole response, records its latency and sends the next, on its own event loop, until the
/// deadline. No task per request: the client must cost the shared two cores as little as possible, so
/// that the figures are the server's (the same reason wrk is written in C). With `tls`, each connection
/// shakes hands once and then loops as over plain HTTP (BoringSSL through SwiftNIO SSL).
enum HTTPLoad {
    struct Request: Sendable {
        var method: HTTPMethod = .GET
        var path: String
        var headers: [(String, String)] = []
        var body: [UInt8] = []
    }

    /// What the connections saw, merged.
    struct Outcome: Sendable {
        var latency = LatencyRecorder()
        /// Responses by status code.
        var statuses: [UInt: Int] = [:]
        var errors = 0

        mutating func merge(_ other: Outcome) {
            latency.merge(other.latency)
            statuses.merge(other.statuses, uniquingKeysWith: +)
            errors += other.errors
        }

        var responses: Int { statuses.values.reduce(0, +) }
    }

    /// Runs `connections` closed loops of `request` against `host:port` until `deadline`, over TLS
    /// when given a client context.
    static func run(
        host: String, port: Int, connections: Int, request: Request, until deadline: NIODeadline,
        group: any EventLoopGroup, tls: NIOSSLContext? = nil
    ) async throws -> Outcome {
        let results = try await withThrowingTaskGroup(of: Outcome.self) { tasks in
            for _ in 0..<connections {
                tasks.addTask {
                    let loop = group.next()
                    let done = loop.makePromise(of: Outcome.self)
                    let bootstrap = ClientBootstrap(group: loop).channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            if let tls {
                                try channel.pipeline.syncOperations.addHandler(
                                    try NIOSSLClientHandler(context: tls, serverHostname: nil))
                            }
                            try channel.pipeline.syncOperations.addHTTPClientHandlers()
                            try channel.pipeline.syncOperations.addHandler(
                                LoadHandler(request: request, host: host, deadline: deadline, done: done))
                        }
                    }
                    do {
                        _ = try await bootstrap.connect(host: host, port: port).get()
                    } catch {
                        done.succeed(Outcome(errors: 1))
                    }
                    return try await done.futureResult.get()
                }
            }
            var merged = Outcome()
            for try await outcome in tasks { merged.merge(outcome) }
            return merged
        }
        return results
    }
}

/// One connection's loop. Lives on its channel's event loop only.
private final class LoadHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let request: HTTPLoad.Request
    private let head: HTTPRequestHead
    private let deadline: NIODeadline
    private let done: EventLoopPromise<HTTPLoad.Outcome>
    private var outcome = HTTPLoad.Outcome()
    private var started = NIODeadline.now()
    private var status: UInt = 0
    private var finished = false

    init(request: HTTPLoad.Request, host: String, deadline: NIODeadline, done: EventLoopPromise<HTTPLoad.Outcome>) {
        self.request = request
        self.deadline = deadline
        self.done = done
        var headers = HTTPHeaders([("Host", host), ("Connection", "keep-alive")] + request.headers)
        if !request.body.isEmpty { headers.add(name: "Content-Length", value: "\(request.body.count)") }
        head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.path, headers: headers)
    }

    func channelActive(context: ChannelHandlerContext) { send(context) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response): status = response.status.code
        case .body: break
        case .end:
            outcome.latency.record(.nanoseconds(Int64((NIODeadline.now() - started).nanoseconds)))
            outcome.statuses[status, default: 0] += 1
            if NIODeadline.now() < deadline { send(context) } else { finish(context) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        outcome.errors += 1
        finish(context)
    }

    func channelInactive(context: ChannelHandlerContext) { finish(context) }

    private func send(_ context: ChannelHandlerContext) {
        started = .now()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !request.body.isEmpty {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: request.body)))), promise: nil
            )
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func finish(_ context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        done.succeed(outcome)
        context.close(promise: nil)
    }
}
