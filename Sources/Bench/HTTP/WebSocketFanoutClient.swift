import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// The subscribers of `statusbench fanout`: plain NIO sockets that speak just enough WebSocket (the
/// opening handshake, unmasked server frames, pongs) to time every message they receive. Written by
/// hand rather than with a WebSocket client library because the client shares the two cores with the
/// server: no task, no frame object and no copy per message, only a timestamp into its loop's tally.
enum WebSocketFanoutClient {
    /// What one event loop's subscribers received: per update (the n-th message of each connection),
    /// how many got it and when the last one did. Touched on its loop only.
    final class Tally: @unchecked Sendable {
        fileprivate(set) var lastArrival: [UInt64]
        fileprivate(set) var received: [Int]
        fileprivate(set) var bytes = 0

        init(updates: Int) {
            lastArrival = Array(repeating: 0, count: updates)
            received = Array(repeating: 0, count: updates)
        }

        fileprivate func arrived(_ index: Int, bytes: Int, at now: UInt64) {
            guard index < received.count else { return }
            received[index] += 1
            if now > lastArrival[index] { lastArrival[index] = now }
            self.bytes += bytes
        }
    }

    /// What every loop's subscribers received: per update, when the last one got it; the frames and
    /// bytes received in all.
    static func collect(_ tallies: [ObjectIdentifier: Tally], updates: Int, group: any EventLoopGroup) async throws
        -> (lastArrival: [UInt64], delivered: Int, bytes: Int)
    {
        var lastArrival = [UInt64](repeating: 0, count: updates)
        var delivered = 0
        var bytes = 0
        for loop in group.makeIterator() {
            guard let tally = tallies[ObjectIdentifier(loop)] else { continue }
            let (arrivals, received, tallyBytes) = try await loop.submit {
                (tally.lastArrival, tally.received, tally.bytes)
            }.get()
            for index in 0..<updates { lastArrival[index] = max(lastArrival[index], arrivals[index]) }
            delivered += received.reduce(0, +)
            bytes += tallyBytes
        }
        return (lastArrival, delivered, bytes)
    }

    /// Connected subscribers, open ones included, for the progress of a run.
    final class Counters: Sendable {
        let subscribed = Atomic<Int>(0)
        let received = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
    }

    /// Opens `count` subscribers to `port` and `path`, spread over the source addresses 127.0.0.2 to
    /// 127.0.0.9, `inFlight` handshakes at a time; returns once each has subscribed (or failed).
    /// - Parameter greeting: messages each connection gets on subscribing (statusd's `hello`), not
    ///   counted as updates.
    static func connect(
        count: Int, port: Int, path: String, greeting: Int, tallies: [ObjectIdentifier: Tally], counters: Counters,
        group: any EventLoopGroup, inFlight: Int = 256
    ) async -> [any Channel] {
        var channels: [any Channel] = []
        var next = 0
        while next < count {
            let batch = min(inFlight, count - next)
            let opened = await withTaskGroup(of: (any Channel)?.self) { tasks in
                for index in next..<(next + batch) {
                    tasks.addTask {
                        await open(
                            source: "127.0.0.\(2 + index % 8)", port: port, path: path, greeting: greeting,
                            tallies: tallies, counters: counters, group: group)
                    }
                }
                var opened: [any Channel] = []
                for await channel in tasks { if let channel { opened.append(channel) } }
                return opened
            }
            channels += opened
            next += batch
        }
        return channels
    }

    private static func open(
        source: String, port: Int, path: String, greeting: Int, tallies: [ObjectIdentifier: Tally],
        counters: Counters, group: any EventLoopGroup
    ) async -> (any Channel)? {
        let loop = group.next()
        guard let tally = tallies[ObjectIdentifier(loop)], let address = try? SocketAddress(ipAddress: source, port: 0)
        else { return nil }
        let subscribed = loop.makePromise(of: Void.self)
        do {
            let channel = try await ClientBootstrap(group: loop)
                .bind(to: address)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            Subscriber(
                                path: path, port: port, greeting: greeting, tally: tally, counters: counters,
                                subscribed: subscribed))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            try await subscribed.futureResult.get()
            counters.subscribed.add(1, ordering: .relaxed)
            return channel
        } catch {
            subscribed.fail(error)  // a promise completed twice keeps its first result
            counters.failed.add(1, ordering: .relaxed)
            return nil
        }
    }

    struct HandshakeRefused: Error {}
}

/// One subscriber: the handshake, then messages counted into its loop's tally.
private final class Subscriber: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let path: String
    private let port: Int
    private var greetingLeft: Int
    private let tally: WebSocketFanoutClient.Tally
    private let counters: WebSocketFanoutClient.Counters
    private let subscribed: EventLoopPromise<Void>
    private var pending = ByteBuffer()
    private var upgraded = false
    private var messages = 0

    init(
        path: String, port: Int, greeting: Int, tally: WebSocketFanoutClient.Tally,
        counters: WebSocketFanoutClient.Counters, subscribed: EventLoopPromise<Void>
    ) {
        self.path = path
        self.port = port
        self.greetingLeft = greeting
        self.tally = tally
        self.counters = counters
        self.subscribed = subscribed
    }

    func channelActive(context: ChannelHandlerContext) {
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        subscribed.fail(WebSocketFanoutClient.HandshakeRefused())  // no-op once it subscribed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending.writeBuffer(&buffer)
        if !upgraded {
            let bytes = pending.readableBytesView
            guard let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
            guard bytes.starts(with: Array("HTTP/1.1 101".utf8)) else {
                context.close(promise: nil)
                return
            }
            pending.moveReaderIndex(forwardBy: end.upperBound - bytes.startIndex)
            upgraded = true
            if greetingLeft == 0 { subscribed.succeed() }
        }
        let now = DispatchTime.now().uptimeNanoseconds
        while let (opcode, length, header) = frameHeader() {
            guard pending.readableBytes >= header + length else { break }
            pending.moveReaderIndex(forwardBy: header)
            switch opcode {
            case 0x1, 0x2:
                if greetingLeft > 0 {
                    greetingLeft -= 1
                    if greetingLeft == 0 { subscribed.succeed() }
                } else {
                    tally.arrived(messages, bytes: length, at: now)
                    messages += 1
                    counters.received.add(1, ordering: .relaxed)
                }
            case 0x9:
                // A pong, masked with a zero key as client frames must be.
                var pong = context.channel.allocator.buffer(capacity: length + 6)
                pong.writeBytes([0x8A, 0x80 | UInt8(length), 0, 0, 0, 0])
                pong.writeBytes(pending.readableBytesView.prefix(length))
                context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
            case 0x8:
                context.close(promise: nil)
            default:
                break
            }
            pending.moveReaderIndex(forwardBy: length)
        }
        // Keep each connection's buffer about one frame long: 19,000 of them share the machine.
        if pending.readableBytes == 0 {
            pending.clear()
        } else if pending.readerIndex > 1 << 14 {
            pending.discardReadBytes()
        }
    }

    /// The opcode, payload length and header size of the frame at the reader index, if it is whole.
    private func frameHeader() -> (opcode: UInt8, length: Int, header: Int)? {
        guard let first = pending.getInteger(at: pending.readerIndex, as: UInt8.self),
            let second = pending.getInteger(at: pending.readerIndex + 1, as: UInt8.self)
        else { return nil }
        switch second & 0x7F {
        case 126:
            guard let length = pending.getInteger(at: pending.readerIndex + 2, as: UInt16.self) else { return nil }
            return (first & 0x0F, Int(length), 4)
        case 127:
            guard let length = pending.getInteger(at: pending.readerIndex + 2, as: UInt64.self) else { return nil }
            return (first & 0x0F, Int(length), 10)
        case let length:
            return (first & 0x0F, Int(length), 2)
        }
    }
}
