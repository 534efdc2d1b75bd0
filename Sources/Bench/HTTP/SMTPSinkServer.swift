import NIOCore
import NIOPosix
import Synchronization

/// The mail server of `statusbench notify`: SMTP on 127.0.0.2 that accepts every mail (EHLO, MAIL,
/// RCPT, DATA; no TLS, no login: statusd runs with `--no-smtp-starttls`), keeps connections open as a
/// relay does, and records how many mails arrived and when the last did, and how many connections
/// statusd opened (a Python server would be the bottleneck, not statusd).
final class SMTPSinkServer: Sendable {
    struct Arrivals {
        var mails = 0
        var last = ContinuousClock.now
        var connections = 0
    }

    let arrivals = Mutex(Arrivals())
    private let channel: any Channel
    /// `smtp://127.0.0.2:port`.
    let url: String

    private init(channel: any Channel) {
        self.channel = channel
        url = "smtp://127.0.0.2:\(channel.localAddress?.port ?? 0)"
    }

    static func start(group: any EventLoopGroup) async throws -> SMTPSinkServer {
        let box = Box()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1_024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in channel.pipeline.addHandler(SMTPSinkHandler(sink: box)) }
            .bind(host: "127.0.0.2", port: 0).get()
        let server = SMTPSinkServer(channel: channel)
        box.server.withLock { $0 = server }
        return server
    }

    /// The server the handlers record into, set once the listener is open.
    final class Box: Sendable {
        let server = Mutex<SMTPSinkServer?>(nil)
    }

    func reset() { arrivals.withLock { $0 = Arrivals() } }

    func stop() async { try? await channel.close() }
}

/// One SMTP session: replies line by line; in DATA, reads to the lone "." and accepts the mail.
private final class SMTPSinkHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let sink: SMTPSinkServer.Box
    private var pending = ByteBuffer()
    private var inData = false
    /// Bytes of the body already searched for its end.
    private var scanned = 0

    init(sink: SMTPSinkServer.Box) { self.sink = sink }

    func channelActive(context: ChannelHandlerContext) {
        sink.server.withLock { $0 }?.arrivals.withLock { $0.connections += 1 }
        reply(context, "220 sink.bench ESMTP")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        pending.writeBuffer(&chunk)
        var replies: [String] = []
        while true {
            if inData {
                // The body is not read line by line (as text it cost this process more CPU than statusd
                // spent sending): only its end, CRLF "." CRLF, is looked for, from where the last look
                // stopped.
                guard let end = endOfData() else { break }
                pending.moveReaderIndex(to: end)
                if pending.readerIndex > 65_536 { pending.discardReadBytes() }
                inData = false
                let now = ContinuousClock.now
                sink.server.withLock { $0 }?.arrivals.withLock {
                    $0.mails += 1
                    $0.last = now
                }
                replies.append("250 2.0.0 accepted")
                continue
            }
            guard let line = nextLine() else { break }
            switch line.prefix(4).uppercased() {
            case "EHLO": replies.append("250-sink.bench\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10485760")
            case "HELO": replies.append("250 sink.bench")
            case "MAIL", "RCPT", "RSET", "NOOP": replies.append("250 2.0.0 ok")
            case "DATA":
                inData = true
                scanned = 0
                replies.append("354 end with <CRLF>.<CRLF>")
            case "QUIT":
                reply(context, "221 bye")
                context.close(promise: nil)
                return
            default: replies.append("502 5.5.2 not implemented")
            }
        }
        if !replies.isEmpty { reply(context, replies.joined(separator: "\r\n")) }
    }

    /// Where the body ends (just past its CRLF "." CRLF), if it has arrived. The CRLF before the dot
    /// is the body's last line end; a body that is empty starts with the dot.
    private func endOfData() -> Int? {
        let start = pending.readerIndex
        let from = max(0, scanned - 4)
        // A plain loop over the bytes: the generic `firstRange(of:)` on a ByteBufferView cost this
        // process more CPU than statusd spent sending.
        let found: Int? = pending.withUnsafeReadableBytes { bytes in
            if scanned == 0, bytes.count >= 3, bytes[0] == 46, bytes[1] == 13, bytes[2] == 10 { return 3 }
            var index = from
            while index + 5 <= bytes.count {
                if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 46, bytes[index + 3] == 13,
                    bytes[index + 4] == 10
                {
                    return index + 5
                }
                index += 1
            }
            return nil
        }
        guard let found else {
            scanned = pending.readableBytes
            return nil
        }
        return start + found
    }

    /// The next whole line without its CRLF, if one has arrived.
    private func nextLine() -> String? {
        guard let end = pending.readableBytesView.firstRange(of: [13, 10]) else { return nil }
        let length = end.lowerBound - pending.readerIndex
        let line = pending.readString(length: length) ?? ""
        pending.moveReaderIndex(forwardBy: 2)
        if pending.readerIndex > 65_536 { pending.discardReadBytes() }
        return line
    }

    private func reply(_ context: ChannelHandlerContext, _ text: String) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
    }
}
