import HTTPTypes
package import NIOCore
package import NIOHTTPTypes
import Wire

/// The first of statusd's handlers every request passes, doing two things that need no second hop:
///
/// - `HEAD` becomes `GET` for everything behind it (the router, the fast path), so every GET resource
///   answers HEAD, as RFC 9110 asks and uptime checkers expect; NIO's response encoder, which saw the
///   request as HEAD, sends the head of the GET answer without its body.
/// - It closes a connection whose next request does not arrive whole in time
///   (`--request-timeout-seconds`): from the connection's start or the end of the last answer, the
///   request head must come within the limit, and from its head, its body. A slow-loris client that
///   dribbles its headers a byte at a time keeps resetting an idle timer, never this one; an idle
///   keep-alive connection is closed after the same limit. While statusd answers (or streams), none runs.
package final class RequestIntakeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = HTTPRequestPart
    package typealias InboundOut = HTTPRequestPart
    package typealias OutboundIn = HTTPResponsePart
    package typealias OutboundOut = HTTPResponsePart

    private let limit: TimeAmount
    /// When the connection is closed unless a request arrives whole before; nil while answering.
    private var deadline: NIODeadline?
    /// The one timer, which re-arms itself for a deadline that moved later: moving the deadline per
    /// request costs a clock read, not a scheduled task (measured: scheduling one per request cost
    /// the fast path ~10 %).
    private var timer: Scheduled<Void>?
    /// Requests whose head has arrived and whose answer has not ended.
    private var open = 0
    /// Whether a request's head has arrived and its end has not.
    private var receiving = false

    package init(limit: TimeAmount) { self.limit = limit }

    package func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    package func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    package func handlerRemoved(context: ChannelHandlerContext) { stopTimer() }

    package func channelInactive(context: ChannelHandlerContext) {
        stopTimer()
        context.fireChannelInactive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(var request):
            open += 1
            receiving = true
            arm(context)  // now for the body
            if request.method == .head {
                request.method = .get
                return context.fireChannelRead(wrapInboundOut(.head(request)))
            }
        case .body:
            break
        case .end:
            receiving = false
            disarm()
        }
        context.fireChannelRead(data)
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            open = max(0, open - 1)
            if open == 0, !receiving { arm(context) }  // waiting for the next request
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        let at = NIODeadline.now() + limit
        deadline = at
        if timer == nil { schedule(at: at, context) }
    }

    private func disarm() { deadline = nil }

    private func schedule(at: NIODeadline, _ context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: at) {
            let (handler, context) = bound.value
            handler.timer = nil
            guard let deadline = handler.deadline else { return }  // answering: re-armed at the answer's end
            if deadline <= .now() {
                context.close(promise: nil)
            } else {
                handler.schedule(at: deadline, context)
            }
        }
    }

    private func stopTimer() {
        timer?.cancel()
        timer = nil
        deadline = nil
    }
}
