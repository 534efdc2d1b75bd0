import DequeModule
package import Engine
import Foundation
package import NIOCore
import Synchronization
package import Wire

/// The live hub of docs/ARCHITECTURE.md: per organization and audience, a bounded ring of recent
/// frames (for resuming) and the subscribers grouped by event loop. A durable event becomes one frame,
/// encoded once into the bytes every subscriber receives (the Server-Sent Events form and the
/// WebSocket frame, unmasked, so the same for every client); each loop gets one task per published
/// batch and writes to its own channels there, so no connection has a task or an async write of its own.
///
/// An organization gets a topic on its first subscriber, and an audience its feed on its first
/// subscriber of that audience; until then publishing costs one dictionary lookup. A topic without
/// subscribers for `topicIdle` is dropped with its ring (a reader coming back later gets `resync`),
/// so that the rings of organizations nobody follows any more do not stay in memory.
package final class LiveHub: Sendable {

    /// One frame, in the bytes each transport sends.
    package struct Frame: Sendable {
        package let seq: Seq
        /// The seq of the frame before it on this feed.
        package let prev: Seq
        /// The Server-Sent Events form: `id: <seq>` and `data: <json>`.
        package let sse: ByteBuffer
        /// The WebSocket text frame, header included.
        package let webSocket: ByteBuffer
    }

    /// What a new subscriber receives before live frames.
    package enum Start {
        /// The frames after the seq it gave (none if it is up to date, or gave none).
        case replay([Frame])
        /// The seq it gave is older than the ring: it must refetch, then follow from the current seq.
        case resync
    }

    /// A subscriber's side: called on its own event loop.
    package protocol Subscriber: AnyObject {
        /// Writes the frames of `subscription` it has not seen yet, or closes when it cannot keep up.
        func deliver(_ frames: [Frame], to subscription: Subscription)
        /// Writes something that is not a frame, so that proxies and NATs keep an idle stream open and
        /// a dead peer is found (by the failed write, or the missing pong).
        func heartbeat()
        /// Ends the connection so that its client reconnects elsewhere: this node cannot serve it now
        /// (it trails the log too far). The client resumes with its last seq on another node.
        func leave()
    }

    /// One subscriber following one organization's feed: made by `subscribe` and handed back with
    /// every delivery, so that a delivery looks nothing up. Touched on the subscriber's loop only.
    package final class Subscription: @unchecked Sendable {
        package let organization: OrgID
        package let audience: LiveAudience
        /// The seq of the last frame written: a frame at or below it is not written again.
        package var lastSent: Seq

        package init(organization: OrgID, audience: LiveAudience, lastSent: Seq) {
            self.organization = organization
            self.audience = audience
            self.lastSent = lastSent
        }
    }

    package let ringFramesMax: Int
    /// Whether an organization's public frames are kept from its first event on, followed or not, until
    /// it has been quiet and unfollowed for `topicIdle` (cluster mode): a client whose node died then
    /// resumes on another with its last seq instead of being told to resync.
    package let keepsUnfollowedRings: Bool
    /// How often an idle stream hears from the server.
    package let heartbeat: TimeAmount
    /// How long a topic stays without subscribers before it is dropped.
    package let topicIdle: TimeAmount
    private let topics = Mutex<[OrgID: Topic]>([:])
    private let subscriptionCount = Atomic<Int>(0)
    private let sweeper = Mutex<RepeatedTask?>(nil)

    package init(
        ringFramesMax: Int = 256, heartbeat: TimeAmount = .seconds(15), topicIdle: TimeAmount = .minutes(5),
        keepsUnfollowedRings: Bool = false
    ) {
        self.ringFramesMax = ringFramesMax
        self.keepsUnfollowedRings = keepsUnfollowedRings
        self.heartbeat = heartbeat
        self.topicIdle = topicIdle
    }

    /// Subscriptions (a WebSocket may follow several organizations), for `/metrics`.
    package var subscriptions: Int { subscriptionCount.load(ordering: .relaxed) }

    /// Organizations with a topic (a ring in memory), for `/metrics`.
    package var topicCount: Int { topics.withLock { $0.count } }

    /// Drops idle topics every minute (or every `topicIdle`, when shorter) on `loop`.
    package func startSweeping(on loop: any EventLoop) {
        let every = min(topicIdle, .minutes(1))
        let task = loop.scheduleRepeatedTask(initialDelay: every, delay: every) { [self] _ in sweep(now: .now()) }
        sweeper.withLock { $0 = task }
    }

    package func stopSweeping() { sweeper.withLock { $0?.cancel() } }

    /// Drops the topics nobody has followed since `now - topicIdle`.
    package func sweep(now: NIODeadline) {
        // Under the map's lock, which `subscribe` holds while it joins a topic: none is joined while
        // it is dropped.
        topics.withLock { topics in
            for (organization, topic) in topics where topic.idle(since: now - topicIdle) {
                topics[organization] = nil
            }
        }
    }

    /// Asks every live connection to leave (`Subscriber.leave`), each on its own loop.
    package func closeAll() {
        for topic in topics.withLock({ Array($0.values) }) { topic.closeAll() }
    }

    // MARK: Publishing (on the organization's actor)

    /// The registry's `onPublish`: frames for the events of a newly published view, per audience.
    package func publish(_ view: OrgView, _ events: [OrgEvent]) {
        let topic = topics.withLock { topics -> Topic? in
            if let topic = topics[view.id] { return topic }
            guard keepsUnfollowedRings else { return nil }
            // Its public feed starts after these events (nobody follows it to need them): the ring
            // holds the frames from the next publication on.
            let topic = Topic(organization: view.id, ringFramesMax: ringFramesMax, heartbeat: heartbeat)
            topic.startPublicFeed(at: Self.current(view, .everyone))
            topics[view.id] = topic
            return nil
        }
        topic?.publish(view, events, keepingIdleRing: keepsUnfollowedRings)
    }

    // MARK: Subscribing (on the subscriber's event loop)

    /// Registers `subscriber` for `organization`'s frames for `audience` and says what it gets first.
    /// - Parameter since: the last seq the subscriber has (resume), or nil to follow from now.
    /// - Returns: the subscription (its `lastSent` is `since`, or the current seq), the seq the feed is
    ///   at (what `hello` announces) and what comes before live frames.
    package func subscribe(
        _ subscriber: some Subscriber, to organization: OrgActor, as audience: LiveAudience, since: Seq?,
        on loop: any EventLoop
    ) -> (subscription: Subscription, current: Seq, start: Start) {
        subscriptionCount.add(1, ordering: .relaxed)
        return topics.withLock { topics in
            let topic =
                topics[organization.id]
                ?? Topic(organization: organization.id, ringFramesMax: ringFramesMax, heartbeat: heartbeat)
            topics[organization.id] = topic
            return topic.add(subscriber, as: audience, since: since, on: loop) {
                // Read under the topic's lock: an event published after this view finds the feed and
                // becomes a frame; one published before is in the view. None falls between.
                Self.current(organization.view, audience)
            }
        }
    }

    package func unsubscribe(_ subscription: Subscription, on loop: any EventLoop) {
        guard let topic = topics.withLock({ $0[subscription.organization] }) else { return }
        if topic.remove(subscription, on: loop) { subscriptionCount.subtract(1, ordering: .relaxed) }
    }

    /// The seq an audience is up to in `view`: what `hello` and `subscribed` announce.
    package static func current(_ view: OrgView, _ audience: LiveAudience) -> Seq {
        audience == .everyone ? view.publicSeq : view.state.seq
    }
}

/// One organization's feeds and subscribers.
private final class Topic: Sendable {
    /// One audience's frames: a ring for resuming and the seq the next frame's `prev` names.
    package struct Feed {
        package var ring = Deque<LiveHub.Frame>()
        package var lastSeq: Seq
    }

    package struct State {
        package var feeds: [LiveAudience: Feed] = [:]
        package var loops: [ObjectIdentifier: LoopSubscribers] = [:]
        package var subscribers = 0
        /// Since when it has had no subscriber.
        package var idleSince: NIODeadline?
    }

    package let organization: OrgID
    package let ringFramesMax: Int
    package let heartbeat: TimeAmount
    private let state = Mutex(State())

    package init(organization: OrgID, ringFramesMax: Int, heartbeat: TimeAmount) {
        self.organization = organization
        self.ringFramesMax = ringFramesMax
        self.heartbeat = heartbeat
    }

    /// A public feed with nobody following it yet, at `seq` (`LiveHub.keepsUnfollowedRings`).
    package func startPublicFeed(at seq: Seq) {
        state.withLock { state in
            state.feeds[.everyone] = Feed(lastSeq: seq)
            state.idleSince = .now()
        }
    }

    /// - Parameter keepingIdleRing: an unfollowed topic stays while it publishes (its idle time starts
    ///   again), rather than `topicIdle` after its last subscriber left.
    package func publish(_ view: OrgView, _ events: [OrgEvent], keepingIdleRing: Bool) {
        let targets: ([LoopSubscribers], [LiveAudience: [LiveHub.Frame]]) = state.withLock { state in
            if keepingIdleRing, state.subscribers == 0 { state.idleSince = .now() }
            var batches: [LiveAudience: [LiveHub.Frame]] = [:]
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
        for group in targets.0 { group.enqueue(targets.1) }
    }

    /// The frames `audience` sees of `events`, chained by `prev` from `lastSeq`, which moves on.
    private static func frames(
        of events: [OrgEvent], in view: OrgView, for audience: LiveAudience, after lastSeq: inout Seq
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

    package func add(
        _ subscriber: some LiveHub.Subscriber, as audience: LiveAudience, since: Seq?, on loop: any EventLoop,
        current: () -> Seq
    ) -> (subscription: LiveHub.Subscription, current: Seq, start: LiveHub.Start) {
        state.withLock { state in
            let key = ObjectIdentifier(loop)
            let group = state.loops[key] ?? LoopSubscribers(loop: loop, heartbeat: heartbeat)
            state.loops[key] = group
            let feed = state.feeds[audience] ?? Feed(lastSeq: current())
            state.feeds[audience] = feed
            let subscription = LiveHub.Subscription(
                organization: organization, audience: audience, lastSent: since ?? feed.lastSeq)
            group.add(subscriber, subscription)  // on its loop: the caller is
            state.subscribers += 1
            state.idleSince = nil
            // A client ahead of the feed followed a log that was since restored behind it: what it has
            // after the feed's seq is not what the log now says.
            if let since, since > feed.lastSeq {
                subscription.lastSent = feed.lastSeq
                return (subscription, feed.lastSeq, .resync)
            }
            guard let since, since < feed.lastSeq else { return (subscription, feed.lastSeq, .replay([])) }
            // The ring holds every frame after its first one's prev; an older gap cannot be filled.
            guard let first = feed.ring.first, first.prev <= since else {
                subscription.lastSent = feed.lastSeq
                return (subscription, feed.lastSeq, .resync)
            }
            return (subscription, feed.lastSeq, .replay(feed.ring.filter { $0.seq > since }))
        }
    }

    /// Whether it was subscribed.
    package func remove(_ subscription: LiveHub.Subscription, on loop: any EventLoop) -> Bool {
        state.withLock { state in
            guard state.loops[ObjectIdentifier(loop)]?.remove(subscription) == true else { return false }
            state.subscribers -= 1
            if state.subscribers == 0 { state.idleSince = .now() }
            return true
        }
    }

    package func closeAll() {
        for group in state.withLock({ Array($0.loops.values) }) { group.closeAll() }
    }

    /// Whether nobody has followed it since `cutoff`.
    package func idle(since cutoff: NIODeadline) -> Bool {
        state.withLock { state in state.idleSince.map { $0 <= cutoff } ?? false }
    }
}

/// The subscribers of one topic on one event loop. Its members are touched only on that loop (the
/// hub's lock orders registration against publishing); published frames wait in `pending` until the
/// loop's one drain task writes them, so that frames published while the loop is busy reach each
/// connection together, in one write.
private final class LoopSubscribers: @unchecked Sendable {
    package struct Member {
        package let subscriber: any LiveHub.Subscriber
        package let subscription: LiveHub.Subscription
    }

    package let loop: any EventLoop
    /// An array, walked on every delivery; `positions` finds a member to remove (swap with the last).
    private var members: [Member] = []
    private var positions: [ObjectIdentifier: Int] = [:]
    /// Frames published and not yet written, per audience, in seq order; a drain is scheduled
    /// whenever this goes from empty to not.
    private let pending = Mutex<[LiveAudience: [LiveHub.Frame]]>([:])
    /// One heartbeat timer for this topic's streams on this loop (not one per connection), running
    /// while there are any.
    private var timer: RepeatedTask?
    private let heartbeat: TimeAmount

    package init(loop: any EventLoop, heartbeat: TimeAmount) {
        self.loop = loop
        self.heartbeat = heartbeat
    }

    package func add(_ subscriber: some LiveHub.Subscriber, _ subscription: LiveHub.Subscription) {
        loop.preconditionInEventLoop()
        positions[ObjectIdentifier(subscription)] = members.count
        members.append(Member(subscriber: subscriber, subscription: subscription))
        if timer == nil {
            timer = loop.scheduleRepeatedTask(initialDelay: heartbeat, delay: heartbeat) { _ in
                for member in self.members { member.subscriber.heartbeat() }
            }
        }
    }

    package func remove(_ subscription: LiveHub.Subscription) -> Bool {
        loop.preconditionInEventLoop()
        guard let position = positions.removeValue(forKey: ObjectIdentifier(subscription)) else { return false }
        let last = members.removeLast()
        if position < members.count {
            members[position] = last
            positions[ObjectIdentifier(last.subscription)] = position
        }
        if members.isEmpty {
            timer?.cancel()
            timer = nil
        }
        return true
    }

    /// Each member leaves, on the loop; a copy of the members is walked, since leaving removes them.
    package func closeAll() {
        loop.execute {
            let members = self.members
            for member in members { member.subscriber.leave() }
        }
    }

    /// Called by the publishing actor: queues the frames, and the drain if none is queued.
    package func enqueue(_ batches: [LiveAudience: [LiveHub.Frame]]) {
        let first = pending.withLock { pending in
            let first = pending.isEmpty
            for (audience, frames) in batches { pending[audience, default: []].append(contentsOf: frames) }
            return first
        }
        if first { loop.execute { self.drain() } }
    }

    private func drain() {
        let batches = pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
        for member in members {
            guard let frames = batches[member.subscription.audience] else { continue }
            member.subscriber.deliver(frames, to: member.subscription)
        }
    }
}
