import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The receiving end of `statusbench notify`: an HTTP server on each of 127.0.0.2 to 127.0.0.9 that
/// answers every POST 200, keeping the connection open as real receivers do (`--close` closes it after
/// each answer), and records when each arrived and whether it was an incident or a component change
/// (a Python sink would be the bottleneck, not statusd).
final class WebhookSinkServer: Sendable {
    struct Arrivals {
        var incident = 0
        var component = 0
        var lastIncident = ContinuousClock.now
        var lastComponent = ContinuousClock.now
    }

    let arrivals = Mutex(Arrivals())
    private let channels: Mutex<[any Channel]> = Mutex([])
    /// `http://127.0.0.N:port` of each listener.
    let bases: [String]

    private init(bases: [String]) { self.bases = bases }

    /// Listens on 127.0.0.2 to 127.0.0.9, each on a port of its own.
    static func start(group: any EventLoopGroup, closing: Bool) async throws -> WebhookSinkServer {
        let ports = Mutex<[Int]>([])
        let sink = Box()
        var opened: [any Channel] = []
        for host in 2...9 {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 4_096)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(SinkHandler(sink: sink, closing: closing))
                    }
                }
                .bind(host: "127.0.0.\(host)", port: 0).get()
            opened.append(channel)
            ports.withLock { $0.append(channel.localAddress?.port ?? 0) }
        }
        let server = WebhookSinkServer(
            bases: ports.withLock { $0 }.enumerated().map { "http://127.0.0.\($0.offset + 2):\($0.element)" })
        server.channels.withLock { $0 = opened }
        sink.server.withLock { $0 = server }
        return server
    }

    /// The server the handlers record into, set once the listeners are open.
    final class Box: Sendable {
        let server = Mutex<WebhookSinkServer?>(nil)
    }

    func reset() { arrivals.withLock { $0 = Arrivals() } }

    func stop() async {
        for channel in channels.withLock({ $0 }) { try? await channel.close() }
    }
}

private final class SinkHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let sink: WebhookSinkServer.Box
    let closing: Bool
    private var body = ByteBuffer()

    init(sink: WebhookSinkServer.Box, closing: Bool) {
        self.sink = sink
        self.closing = closing
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: body.clear()
        case .body(var chunk): body.writeBuffer(&chunk)
        case .end:
            let component = body.readableBytesView.firstRange(of: Array("\"component_update\"".utf8)) != nil
            let now = ContinuousClock.now
            sink.server.withLock { $0 }?.arrivals.withLock {
                if component {
                    $0.component += 1
                    $0.lastComponent = now
                } else {
                    $0.incident += 1
                    $0.lastIncident = now
                }
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "2")
            if closing { headers.add(name: "Connection", value: "close") }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil
            )
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
            let channel = context.channel
            let closing = self.closing
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if closing { channel.close(promise: nil) }
            }
        }
    }
}
