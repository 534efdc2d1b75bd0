import DequeModule
import Engine
import Foundation
import NIOCore
import Synchronization

/// The live hub of DESIGN "Live updates": per organization, a bounded ring of recent public frames
/// (for resuming) and its subscribers grouped by event loop. A durable event becomes one frame, encoded
/// once into the bytes every subscriber receives; each loop gets one task per published batch and
/// writes to its own channels there, so no connection has a task or an async write of its own.
///
/// An organization gets a topic on its first subscriber; until then publishing costs one dictionary
/// lookup. (Next: drop a topic some minutes after its last subscriber leaves.)
final class LiveHub: Sendable {
    /// One frame, in the bytes each transport sends.
    struct Frame: Sendable {
        let seq: Seq
        /// The seq of the frame before it on this feed.
        let prev: Seq
        /// The Server-Sent Events form: `id: <seq>` and `data: <json>`.
        let sse: ByteBuffer
    }

    /// What a new subscriber receives before live frames.
    enum Start {
        /// The frames after the seq it gave (none if it is up to date, or gave none).
        case replay([Frame])
        /// The seq it gave is older than the ring: it must refetch, then follow from `seq`.
        case resync
    }

    /// A subscriber's side: called on its own event loop.
    protocol Subscriber: AnyObject {
        /// Writes the frames it has not seen yet, or closes when it cannot keep up.
        func deliver(_ frames: [Frame])
        /// Writes something that is not a frame, so that proxies and NATs keep an idle stream open and
        /// a dead peer is found by the failed write.
        func heartbeat()
    }

    let ringFramesMax: Int
    /// How often an idle stream hears from the server.
    let heartbeat: TimeAmount
    private let topics = Mutex<[OrgID: Topic]>([:])
    private let subscriberCount = Atomic<Int>(0)

    init(ringFramesMax: Int = 256, heartbeat: TimeAmount = .seconds(15)) {
        self.ringFramesMax = ringFramesMax
        self.heartbeat = heartbeat
    }

    /// Live subscribers, for `/metrics`.
    var connections: Int { subscriberCount.load(ordering: .relaxed) }

    // MARK: Publishing (on the organization's actor)

    /// The registry's `onPublish`: frames for the public events of a newly published view.
    func publish(_ view: OrgView, _ events: [OrgEvent]) {
        guard let topic = topics.withLock({ $0[view.id] }) else { return }
        topic.publish(view, events)
    }

    // MARK: Subscribing (on the subscriber's event loop)

    /// Registers `subscriber` for `organization`'s public frames and says what it gets first.
    /// - Parameter since: the last seq the subscriber has (resume), or nil for live frames only.
    func subscribe(
        _ subscriber: some Subscriber, to organization: OrgID, since: Seq?, on loop: any EventLoop, current: Seq
    ) -> Start {
        let topic = topics.withLock { topics in
            if let topic = topics[organization] { return topic }
            let topic = Topic(ringFramesMax: ringFramesMax, heartbeat: heartbeat, lastSeq: current)
            topics[organization] = topic
            return topic
        }
        subscriberCount.add(1, ordering: .relaxed)
        return topic.add(subscriber, since: since, on: loop)
    }

    func unsubscribe(_ subscriber: some Subscriber, from organization: OrgID, on loop: any EventLoop) {
        guard let topic = topics.withLock({ $0[organization] }) else { return }
        if topic.remove(subscriber, on: loop) { subscriberCount.subtract(1, ordering: .relaxed) }
    }
}

/// One organization's ring and subscribers.
private final class Topic: Sendable {
    struct State {
        var ring = Deque<LiveHub.Frame>()
        /// The seq of the last frame published (the `prev` of the next), or of the view the topic
        /// started from.
        var lastSeq: Seq
        var loops: [ObjectIdentifier: LoopSubscribers] = [:]
    }

    let ringFramesMax: Int
    let heartbeat: TimeAmount
    private let state: Mutex<State>

    init(ringFramesMax: Int, heartbeat: TimeAmount, lastSeq: Seq) {
        self.ringFramesMax = ringFramesMax
        self.heartbeat = heartbeat
        state = Mutex(State(lastSeq: lastSeq))
    }

    func publish(_ view: OrgView, _ events: [OrgEvent]) {
        let slug = view.slug
        let targets: [(LoopSubscribers, [LiveHub.Frame])] = state.withLock { state in
            var frames: [LiveHub.Frame] = []
            for event in events where event.change.isPublic && event.seq > state.lastSeq {
                guard let content = LiveFrame.publicContent(of: event, in: view.state),
                    let json = try? LiveFrame.encode(
                        type: content.type, org: slug, seq: event.seq, prev: state.lastSeq, at: event.at,
                        data: content.data)
                else { continue }
                var sse = ByteBuffer()
                sse.writeString("id: \(event.seq.rawValue)\ndata: ")
                sse.writeBytes(json)
                sse.writeString("\n\n")
                frames.append(LiveHub.Frame(seq: event.seq, prev: state.lastSeq, sse: sse))
                state.lastSeq = event.seq
            }
            guard !frames.isEmpty else { return [] }
            state.ring.append(contentsOf: frames)
            while state.ring.count > ringFramesMax { state.ring.removeFirst() }
            return state.loops.values.map { ($0, frames) }
        }
        for (group, frames) in targets { group.deliver(frames) }
    }

    func add(_ subscriber: some LiveHub.Subscriber, since: Seq?, on loop: any EventLoop) -> LiveHub.Start {
        state.withLock { state in
            let key = ObjectIdentifier(loop)
            let group = state.loops[key] ?? LoopSubscribers(loop: loop, heartbeat: heartbeat)
            state.loops[key] = group
            group.add(subscriber)  // on its loop: the caller is
            guard let since, since < state.lastSeq else { return .replay([]) }
            // The ring holds every frame after its first one's prev; an older gap cannot be filled.
            guard let first = state.ring.first, first.prev <= since else { return .resync }
            return .replay(state.ring.filter { $0.seq > since })
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
    private var members: [ObjectIdentifier: any LiveHub.Subscriber] = [:]
    /// One heartbeat timer for this topic's streams on this loop (not one per connection), running
    /// while there are any.
    private var timer: RepeatedTask?
    private let heartbeat: TimeAmount

    init(loop: any EventLoop, heartbeat: TimeAmount) {
        self.loop = loop
        self.heartbeat = heartbeat
    }

    func add(_ subscriber: some LiveHub.Subscriber) {
        loop.preconditionInEventLoop()
        members[ObjectIdentifier(subscriber)] = subscriber
        if timer == nil {
            timer = loop.scheduleRepeatedTask(initialDelay: heartbeat, delay: heartbeat) { _ in
                for member in self.members.values { member.heartbeat() }
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

    func deliver(_ frames: [LiveHub.Frame]) {
        loop.execute {
            for member in self.members.values { member.deliver(frames) }
        }
    }
}
