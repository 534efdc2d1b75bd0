import DequeModule
import Engine
import Foundation
import NIOCore
import Synchronization

/// The live hub of DESIGN "Live updates": per organization and audience, a bounded ring of recent
/// frames (for resuming) and the subscribers grouped by event loop. A durable event becomes one frame,
/// encoded once into the bytes every subscriber receives (the Server-Sent Events form and the
/// WebSocket frame, unmasked, so the same for every client); each loop gets one task per published
/// batch and writes to its own channels there, so no connection has a task or an async write of its own.
///
/// An organization gets a topic on its first subscriber, and an audience its feed on its first
/// subscriber of that audience; until then publishing costs one dictionary lookup.
final class LiveHub: Sendable {
    /// Who a feed is for; each sees everything the one before it does.
    enum Audience: Int, Sendable, Comparable {
        /// Anyone: the public events (API.md "Live frames").
        case everyone
        /// Members of the organization: also members joining, changing role and leaving.
        case members
        /// Its admins and owners (and admin keys): also invitations and API keys (never a secret).
        case admins

        /// The feed for a credential holding `role` in the organization.
        init(role: Role) { self = role.allows(.admin) ? .admins : .members }

        static func < (lhs: Audience, rhs: Audience) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One frame, in the bytes each transport sends.
    struct Frame: Sendable {
        let seq: Seq
        /// The seq of the frame before it on this feed.
        let prev: Seq
        /// The Server-Sent Events form: `id: <seq>` and `data: <json>`.
        let sse: ByteBuffer
        /// The WebSocket text frame, header included.
        let webSocket: ByteBuffer
    }

    /// What a new subscriber receives before live frames.
    enum Start {
        /// The frames after the seq it gave (none if it is up to date, or gave none).
        case replay([Frame])
        /// The seq it gave is older than the ring: it must refetch, then follow from the current seq.
        case resync
    }

    /// A subscriber's side: called on its own event loop.
    protocol Subscriber: AnyObject {
        /// Writes the frames of `organization` it has not seen yet, or closes when it cannot keep up.
        func deliver(_ frames: [Frame], of organization: OrgID)
        /// Writes something that is not a frame, so that proxies and NATs keep an idle stream open and
        /// a dead peer is found (by the failed write, or the missing pong).
        func heartbeat()
    }

    let ringFramesMax: Int
    /// How often an idle stream hears from the server.
    let heartbeat: TimeAmount
    private let topics = Mutex<[OrgID: Topic]>([:])
    private let subscriptionCount = Atomic<Int>(0)

    init(ringFramesMax: Int = 256, heartbeat: TimeAmount = .seconds(15)) {
        self.ringFramesMax = ringFramesMax
        self.heartbeat = heartbeat
    }

    /// Subscriptions (a WebSocket may follow several organizations), for `/metrics`.
    var subscriptions: Int { subscriptionCount.load(ordering: .relaxed) }

    // MARK: Publishing (on the organization's actor)

    /// The registry's `onPublish`: frames for the events of a newly published view, per audience.
    func publish(_ view: OrgView, _ events: [OrgEvent]) {
        guard let topic = topics.withLock({ $0[view.id] }) else { return }
        topic.publish(view, events)
    }

    // MARK: Subscribing (on the subscriber's event loop)

    /// Registers `subscriber` for `organization`'s frames for `audience` and says what it gets first.
    /// - Parameter since: the last seq the subscriber has (resume), or nil to follow from now.
    /// - Returns: the seq the feed is at (what `hello` announces) and what comes before live frames.
    func subscribe(
        _ subscriber: some Subscriber, to organization: OrgActor, as audience: Audience, since: Seq?,
        on loop: any EventLoop
    ) -> (current: Seq, start: Start) {
        let topic = topics.withLock { topics in
            if let topic = topics[organization.id] { return topic }
            let topic = Topic(ringFramesMax: ringFramesMax, heartbeat: heartbeat)
            topics[organization.id] = topic
            return topic
        }
        subscriptionCount.add(1, ordering: .relaxed)
        return topic.add(subscriber, as: audience, since: since, on: loop) {
            // Read under the topic's lock: an event published after this view finds the feed and
            // becomes a frame; one published before is in the view. None falls between.
            Self.current(organization.view, audience)
        }
    }

    func unsubscribe(_ subscriber: some Subscriber, from organization: OrgID, on loop: any EventLoop) {
        guard let topic = topics.withLock({ $0[organization] }) else { return }
        if topic.remove(subscriber, on: loop) { subscriptionCount.subtract(1, ordering: .relaxed) }
    }

    /// The seq an audience is up to in `view`: what `hello` and `subscribed` announce.
    static func current(_ view: OrgView, _ audience: Audience) -> Seq {
        audience == .everyone ? view.publicSeq : view.state.seq
    }
}

/// One organization's feeds and subscribers.
private final class Topic: Sendable {
    /// One audience's frames: a ring for resuming and the seq the next frame's `prev` names.
    struct Feed {
        var ring = Deque<LiveHub.Frame>()
        var lastSeq: Seq
    }

    struct State {
        var feeds: [LiveHub.Audience: Feed] = [:]
        var loops: [ObjectIdentifier: LoopSubscribers] = [:]
    }

    let ringFramesMax: Int
    let heartbeat: TimeAmount
    private let state = Mutex(State())

    init(ringFramesMax: Int, heartbeat: TimeAmount) {
        self.ringFramesMax = ringFramesMax
        self.heartbeat = heartbeat
    }

    func publish(_ view: OrgView, _ events: [OrgEvent]) {
        let targets: ([LoopSubscribers], [LiveHub.Audience: [LiveHub.Frame]]) = state.withLock { state in
            var batches: [LiveHub.Audience: [LiveHub.Frame]] = [:]
            for (audience, var feed) in state.feeds {
                let frames = Self.frames(of: events, in: view, for: audience, after: &feed.lastSeq)
                guard !frames.isEmpty else { continue }
                feed.ring.append(contentsOf: frames)
                while feed.ring.count > ringFramesMax { feed.ring.removeFirst() }
                state.feeds[audience] = feed
                batches[audience] = frames
            }
            return batches.isEmpty ? ([], [:]) : (Array(state.loops.values), batches)
        }
        for group in targets.0 { group.deliver(targets.1, of: view.id) }
    }

    /// The frames `audience` sees of `events`, chained by `prev` from `lastSeq`, which moves on.
    private static func frames(
        of events: [OrgEvent], in view: OrgView, for audience: LiveHub.Audience, after lastSeq: inout Seq
    ) -> [LiveHub.Frame] {
        var frames: [LiveHub.Frame] = []
        for event in events where event.seq > lastSeq {
            guard let content = LiveFrame.content(of: event, in: view.state, for: audience),
                let json = try? LiveFrame.encode(
                    type: content.type, org: view.slug, seq: event.seq, prev: lastSeq, at: event.at, data: content.data)
            else { continue }
            var sse = ByteBuffer()
            sse.writeString("id: \(event.seq.rawValue)\ndata: ")
            sse.writeBytes(json)
            sse.writeString("\n\n")
            frames.append(
                LiveHub.Frame(seq: event.seq, prev: lastSeq, sse: sse, webSocket: WebSocketWire.text(json)))
            lastSeq = event.seq
        }
        return frames
    }

    func add(
        _ subscriber: some LiveHub.Subscriber, as audience: LiveHub.Audience, since: Seq?, on loop: any EventLoop,
        current: () -> Seq
    ) -> (current: Seq, start: LiveHub.Start) {
        state.withLock { state in
            let key = ObjectIdentifier(loop)
            let group = state.loops[key] ?? LoopSubscribers(loop: loop, heartbeat: heartbeat)
            state.loops[key] = group
            group.add(subscriber, as: audience)  // on its loop: the caller is
            let feed = state.feeds[audience] ?? Feed(lastSeq: current())
            state.feeds[audience] = feed
            guard let since, since < feed.lastSeq else { return (feed.lastSeq, .replay([])) }
            // The ring holds every frame after its first one's prev; an older gap cannot be filled.
            guard let first = feed.ring.first, first.prev <= since else { return (feed.lastSeq, .resync) }
            return (feed.lastSeq, .replay(feed.ring.filter { $0.seq > since }))
        }
    }

    /// Whether it was subscribed.
    func remove(_ subscriber: some LiveHub.Subscriber, on loop: any EventLoop) -> Bool {
        state.withLock { state in state.loops[ObjectIdentifier(loop)]?.remove(subscriber) ?? false }
    }
}

/// The subscribers of one topic on one event loop. Touched only on that loop (the hub's lock orders
/// registration against publishing; delivery runs in one task per batch on the loop).
private final class LoopSubscribers: @unchecked Sendable {
    let loop: any EventLoop
    private var members: [ObjectIdentifier: (subscriber: any LiveHub.Subscriber, audience: LiveHub.Audience)] = [:]
    /// One heartbeat timer for this topic's streams on this loop (not one per connection), running
    /// while there are any.
    private var timer: RepeatedTask?
    private let heartbeat: TimeAmount

    init(loop: any EventLoop, heartbeat: TimeAmount) {
        self.loop = loop
        self.heartbeat = heartbeat
    }

    func add(_ subscriber: some LiveHub.Subscriber, as audience: LiveHub.Audience) {
        loop.preconditionInEventLoop()
        members[ObjectIdentifier(subscriber)] = (subscriber, audience)
        if timer == nil {
            timer = loop.scheduleRepeatedTask(initialDelay: heartbeat, delay: heartbeat) { _ in
                for member in self.members.values { member.subscriber.heartbeat() }
            }
        }
    }

    func remove(_ subscriber: some LiveHub.Subscriber) -> Bool {
        loop.preconditionInEventLoop()
        let removed = members.removeValue(forKey: ObjectIdentifier(subscriber)) != nil
        if members.isEmpty {
            timer?.cancel()
            timer = nil
        }
        return removed
    }

    func deliver(_ batches: [LiveHub.Audience: [LiveHub.Frame]], of organization: OrgID) {
        loop.execute {
            for member in self.members.values {
                guard let frames = batches[member.audience] else { continue }
                member.subscriber.deliver(frames, of: organization)
            }
        }
    }
}
