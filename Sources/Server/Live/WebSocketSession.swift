package import Auth
package import Engine
import Foundation
package import NIOCore
package import NIOWebSocket
import Wire

/// One WebSocket connection after its upgrade, on its channel's event loop:
/// it follows organizations (`/ws/{slug}` one at once, more by `subscribe`), answers `ping`, takes
/// credentials on `GET /ws` (a header at the upgrade or a first `auth` message), and writes the hub's
/// pre-framed buffers as they come. Every limit it enforces ends the connection with a close code and
/// a reason, counted in `statusd_live_closed_total`.
package final class WebSocketSession: ChannelInboundHandler, RemovableChannelHandler, LiveHub.Subscriber {
    package typealias InboundIn = WebSocketFrame
    package typealias OutboundOut = ByteBuffer

    /// What every session shares: a class, so that each of 19,000 sessions holds one reference.
    package final class Shared: Sendable {
        package let registry: Registry
        package let directory: Directory
        package let hub: LiveHub
        package let admission: LiveAdmission
        package let authenticator: Authenticator

        package init(
            registry: Registry, directory: Directory, hub: LiveHub, admission: LiveAdmission,
            authenticator: Authenticator
        ) {
            self.registry = registry
            self.directory = directory
            self.hub = hub
            self.admission = admission
            self.authenticator = authenticator
        }
    }

    /// What the upgrade request asked for.
    package struct Opening {
        /// `/ws/{slug}`: the organization to follow at once, publicly.
        package var organization: OrgActor?
        /// `/ws`: the credential of the upgrade request (`Authorization` or the session cookie); nil
        /// waits for an `auth` message.
        package var credential: String?
        package var authenticated: Bool
        /// `?org=` on `/ws`: which of the account's organizations to follow at once.
        package var home: String?
        package var since: Seq?
        package var address: String?
    }

    /// Who the connection acts as, once `GET /ws` has a valid credential.
    private struct Credential {
        package let principal: Principal
        package let session: SessionID?
    }

    /// An organization this connection follows, and the hub's handle on it.
    private struct Following {
        package let organization: OrgActor
        package let subscription: LiveHub.Subscription
    }

    private let shared: Shared
    private let opening: Opening
    private var context: ChannelHandlerContext?
    private var credential: Credential?
    private var subscriptions: [OrgID: Following] = [:]
    /// Whether the channel takes more writes without passing `--live-queue-kib` (kept from NIO's
    /// writability events, so that a delivery reads no channel state).
    private var writable = true
    /// A timer while the connection waits: for credentials, or for its first subscription.
    private var waiting: Scheduled<Void>?
    private var lastHeard = NIODeadline.now()
    private var lastPing = NIODeadline.now()
    /// Subscribe messages left in the burst, and when the last was counted.
    private var subscribeTokens: Double
    private var subscribeCounted = NIODeadline.now()
    private var closing = false
    /// The parts of a fragmented message so far.
    private var fragments: ByteBuffer?
    private var released = false

    /// The largest frame the decoder in front of this session takes.
    package var messageBytes: Int { shared.admission.limits.messageBytes }

    package init(_ shared: Shared, opening: Opening) {
        self.shared = shared
        self.opening = opening
        subscribeTokens = Double(shared.admission.limits.subscribeBurst)
    }

    // MARK: Lifecycle

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if let reason = shared.admission.admit(.webSocket, from: opening.address) {
            released = true  // nothing was taken
            return switch reason {
            case .serverFull: close(.tryAgainLater, "server at its live connection limit", nil)
            case .behind: close(.tryAgainLater, Self.behindReason, nil)
            default: close(.policyViolation, "too many live connections from this address", nil)
            }
        }
        if let organization = opening.organization {
            subscribe(organization, since: opening.since, announce: "hello")
        } else if opening.authenticated {
            if let token = opening.credential {
                authenticate(token)
            } else {
                wait(for: .authTimeout, "no credentials: send {\"type\":\"auth\",\"token\":\"...\"} first")
            }
        }
    }

    package func handlerRemoved(context: ChannelHandlerContext) { finish() }

    package func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Hummingbird's graceful shutdown asks every connection to finish: a stream never does by
        // itself, so it says goodbye (1001) and closes once the frame is out.
        if event is ChannelShouldQuiesceEvent {
            close(.goingAway, "server shutting down", .shutdown)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Leaves the hub, stops the timer and gives back the connection's place, once.
    private func finish() {
        guard let context else { return }
        for following in subscriptions.values {
            shared.hub.unsubscribe(following.subscription, on: context.eventLoop)
        }
        subscriptions = [:]
        waiting?.cancel()
        waiting = nil
        if !released {
            released = true
            shared.admission.release(.webSocket, from: opening.address)
        }
        self.context = nil
    }

    // MARK: Reading

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        lastHeard = .now()
        guard !closing else { return }
        guard frame.maskKey != nil else {
            return close(.protocolError, "client frames must be masked", .protocolError)
        }
        switch frame.opcode {
        case .text where frame.fin && fragments == nil:
            received(frame.unmaskedData)
        case .text where fragments == nil, .continuation where fragments != nil:
            // A message in fragments: gathered up to the message limit (the decoder bounds each one).
            var gathered = fragments ?? ByteBuffer()
            var data = frame.unmaskedData
            gathered.writeBuffer(&data)
            guard gathered.readableBytes <= shared.admission.limits.messageBytes else {
                return close(
                    .messageTooBig, "messages are at most \(shared.admission.limits.messageBytes) bytes", .messageSize)
            }
            fragments = frame.fin ? nil : gathered
            if frame.fin { received(gathered) }
        case .binary:
            close(.unsupportedData, "statusd speaks JSON text frames", .protocolError)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketWire.pong(frame.unmaskedData)), promise: nil)
        case .pong:
            break  // lastHeard is enough
        case .connectionClose:
            // Echo the peer's code (RFC 6455 section 5.5.1), then close once it is out.
            closing = true
            finish()
            var data = frame.unmaskedData
            let code = data.readInteger(as: UInt16.self).flatMap { WebSocketWire.CloseCode(rawValue: $0) } ?? .normal
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketWire.close(code, reason: ""))).whenComplete { _ in
                channel.close(promise: nil)
            }
        default:
            close(.protocolError, "unexpected frame", .protocolError)
        }
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case NIOWebSocketError.invalidFrameLength:
            close(.messageTooBig, "messages are at most \(shared.admission.limits.messageBytes) bytes", .messageSize)
        case is NIOWebSocketError:
            close(.protocolError, "malformed frame", .protocolError)
        default:
            context.close(promise: nil)  // the socket failed: nothing can be said on it
        }
    }

    /// A client message: `subscribe`, `unsubscribe`, `ping`, `auth`.
    private func received(_ payload: ByteBuffer) {
        guard let message = try? JSONDecoder().decode(ClientMessage.self, from: Data(payload.readableBytesView)) else {
            return error("bad_message", "a message is a JSON object with a type")
        }
        switch message.type {
        case "ping":
            send(LiveFrame.Control(type: "pong"))
        case "auth":
            guard opening.authenticated, credential == nil, let token = message.token else {
                return error("bad_message", "auth is for GET /ws, once, with a token")
            }
            authenticate(token)
        case "subscribe":
            guard spendSubscribeToken() else {
                return close(.policyViolation, "too many subscribe messages: slow down", .subscribeRate)
            }
            guard !opening.authenticated || credential != nil else { return error("unauthorized", "auth first") }
            guard let name = message.org, let organization = organization(named: name) else {
                return error("not_found", "no status page named '\((message.org ?? "").prefix(64))'")
            }
            guard
                subscriptions[organization.id] != nil
                    || subscriptions.count < shared.admission.limits.subscriptionsPerConnection
            else {
                return close(
                    .policyViolation,
                    "at most \(shared.admission.limits.subscriptionsPerConnection) organizations per connection",
                    .subscriptions)
            }
            subscribe(organization, since: message.since.map { Seq($0) }, announce: "subscribed")
        case "unsubscribe":
            guard let name = message.org, let organization = organization(named: name),
                let following = subscriptions.removeValue(forKey: organization.id), let context
            else { return error("not_found", "not subscribed to '\((message.org ?? "").prefix(64))'") }
            shared.hub.unsubscribe(following.subscription, on: context.eventLoop)
            send(LiveFrame.Control(type: "unsubscribed", org: organization.view.state.settings.slug))
            if subscriptions.isEmpty { wait(for: .idle, "no subscription left") }
        default:
            error("bad_message", "unknown message type '\(message.type.prefix(32))'")
        }
    }

    private struct ClientMessage: Decodable {
        package let type: String
        package let org: String?
        package let since: UInt64?
        package let token: String?
    }

    private func organization(named name: String) -> OrgActor? {
        let organization = shared.registry.organization(slug: name) ?? OrgID(name).flatMap(shared.registry.organization)
        guard let organization, organization.view.state.exists else { return nil }
        return organization
    }

    /// A token bucket: `subscribeBurst` at once, one more per second.
    private func spendSubscribeToken() -> Bool {
        let now = NIODeadline.now()
        let seconds = Double((now - subscribeCounted).nanoseconds) / 1e9
        subscribeCounted = now
        subscribeTokens = min(Double(shared.admission.limits.subscribeBurst), subscribeTokens + seconds)
        guard subscribeTokens >= 1 else { return false }
        subscribeTokens -= 1
        return true
    }

    // MARK: Credentials

    private func authenticate(_ token: String) {
        guard let context else { return }
        waiting?.cancel()
        let authenticator = shared.authenticator
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        // One task per authentication (an OpenID Connect token may need its provider's keys), not
        // per connection: the answer comes back to the connection's loop.
        Task {
            let identity = try? await authenticator.identity(token: token)
            loop.execute { bound.value.authenticated(identity) }
        }
    }

    private func authenticated(_ identity: Authenticator.Identity?) {
        guard !closing, context != nil else { return }
        guard let identity else {
            return close(.policyViolation, "invalid or expired credential", .authRefused)
        }
        var home: OrgActor?
        switch identity {
        case .apiKey(let key, let organization):
            credential = Credential(principal: .apiKey(key), session: nil)
            home = organization
        case .account(let account, let session):
            credential = Credential(principal: .account(account.id), session: session)
            home = defaultOrganization(of: account.id)
        case .federated(let account, _, let claim):
            credential = Credential(principal: .account(account.id), session: nil)
            home = defaultOrganization(of: account.id, claim: claim)
        }
        if let home {
            subscribe(home, since: opening.since, announce: "hello")
        } else {
            send(LiveFrame.Control(type: "hello"))
            wait(for: .idle, "no subscription: send {\"type\":\"subscribe\",\"org\":\"...\"}")
        }
    }

    /// The organization `/ws` follows at once: the one `?org=` names among the account's, or its only one.
    private func defaultOrganization(of account: AccountID, claim: String? = nil) -> OrgActor? {
        let memberships = shared.registry.organizations(member: account)
        if let name = opening.home ?? claim {
            return memberships.first { $0.id.rawValue == name || $0.view.state.settings.slug == name }
        }
        return memberships.count == 1 ? memberships[0] : nil
    }

    /// The feed this connection's credential reads in `organization`: its members' or admins' when it
    /// holds a role there, the public one otherwise.
    private func audience(in organization: OrgActor) -> LiveAudience {
        guard let credential, stillValid(credential),
            let role = organization.view.state.role(of: credential.principal)
        else { return .everyone }
        return LiveAudience(role: role)
    }

    private func stillValid(_ credential: Credential) -> Bool {
        guard let session = credential.session else { return true }
        return shared.directory.state.session(session, at: WallClock.now()) != nil
    }

    // MARK: Following

    private func subscribe(_ organization: OrgActor, since: Seq?, announce: String) {
        guard let context else { return }
        waiting?.cancel()
        waiting = nil
        let audience = audience(in: organization)
        let slug = organization.view.state.settings.slug
        if let previous = subscriptions.removeValue(forKey: organization.id) {
            shared.hub.unsubscribe(previous.subscription, on: context.eventLoop)  // a re-subscribe replays
        }
        let (subscription, current, start) = shared.hub.subscribe(
            self, to: organization, as: audience, since: since, on: context.eventLoop)
        subscriptions[organization.id] = Following(organization: organization, subscription: subscription)
        let feed = audience == .everyone ? nil : audience == .admins ? "admins" : "members"
        send(LiveFrame.Control(type: announce, org: slug, seq: current, feed: feed), flush: false)
        switch start {
        case .replay(let frames):
            deliver(frames, to: subscription)
        case .resync:
            send(LiveFrame.Control(type: "resync", org: slug, seq: current), flush: false)
        }
        context.flush()
    }

    /// The hot path of the fan-out: for each connection, a few field reads and one write per frame.
    package func deliver(_ frames: [LiveHub.Frame], to subscription: LiveHub.Subscription) {
        guard let context, !closing, let last = frames.last, last.seq > subscription.lastSent else { return }
        if subscription.audience != .everyone, !entitled(subscription) {
            return close(.policyViolation, "credential revoked or role changed: reconnect", .credentialRevoked)
        }
        guard writable else {
            // Its queue is full: it is not keeping up. It resumes from its last seq.
            return close(
                .policyViolation, "too slow: resume with since=\(subscription.lastSent.rawValue)", .slowReader)
        }
        for frame in frames where frame.seq > subscription.lastSent {
            context.write(wrapOutboundOut(frame.webSocket), promise: nil)
        }
        subscription.lastSent = last.seq
        context.flush()
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        context.fireChannelWritabilityChanged()
    }

    /// Whether the credential still holds the role its private feed was chosen for.
    private func entitled(_ subscription: LiveHub.Subscription) -> Bool {
        guard let credential, stillValid(credential),
            let organization = subscriptions[subscription.organization]?.organization,
            let role = organization.view.state.role(of: credential.principal)
        else { return false }
        return LiveAudience(role: role) >= subscription.audience
    }

    /// A ping when the peer has been quiet; a close when it has not answered the last two.
    /// 1013 (try again later) with a reason that says where: the client reconnects through the load
    /// balancer, with jittered backoff, and resumes with its last seq.
    package func leave() { close(.tryAgainLater, Self.behindReason, .behind) }

    static let behindReason = "this node trails the event log: reconnect elsewhere"

    package func heartbeat() {
        guard let context, !closing else { return }
        let now = NIODeadline.now()
        let interval = shared.hub.heartbeat
        if now - lastHeard > interval * 2 + .seconds(1) {
            shared.admission.count(.deadPeer)
            return context.close(promise: nil)
        }
        // Each followed organization has a timer: one ping per interval is enough.
        guard now - lastPing >= .nanoseconds(interval.nanoseconds / 2) else { return }
        lastPing = now
        context.writeAndFlush(wrapOutboundOut(WebSocketWire.ping), promise: nil)
    }

    // MARK: Writing

    private func send(_ control: LiveFrame.Control, flush: Bool = true) {
        guard let context, let json = try? control.encoded() else { return }
        context.write(wrapOutboundOut(WebSocketWire.text(json)), promise: nil)
        if flush { context.flush() }
    }

    private func error(_ code: String, _ message: String) {
        send(LiveFrame.Control(type: "error", code: code, message: message))
    }

    /// Closes the connection after `reason` unless it does what it is waiting for in time.
    private func wait(for reason: LiveAdmission.Reason, _ message: String) {
        guard let context else { return }
        waiting?.cancel()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        waiting = context.eventLoop.scheduleTask(in: shared.admission.limits.authTimeout) {
            bound.value.close(.policyViolation, message, reason)
        }
    }

    /// Sends a close frame and closes the connection once it is out, or after two seconds when the
    /// peer does not read it (a slow reader's queue is full: its memory is released anyway).
    private func close(_ code: WebSocketWire.CloseCode, _ reason: String, _ counted: LiveAdmission.Reason?) {
        guard let context, !closing else { return }
        closing = true
        if let counted { shared.admission.count(counted) }
        let channel = context.channel
        finish()
        // From this handler's place: the handlers behind it speak HTTP.
        context.writeAndFlush(wrapOutboundOut(WebSocketWire.close(code, reason: reason))).whenComplete { _ in
            channel.close(promise: nil)
        }
        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
    }
}
