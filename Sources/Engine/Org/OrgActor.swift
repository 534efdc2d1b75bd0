import DequeModule
public import Foundation  // Date appears in the clock the actor is given.
import HashTreeCollections
import Synchronization

/// The result of a command: the events it made durable, in seq order (empty when nothing changed).
public struct Commit: Sendable {
    public let events: [OrgEvent]
    /// The organization's seq after the command.
    public let seq: Seq
    /// A keyed command applied before: `events` are what it wrote then, nothing was applied now.
    public var replayed = false
}

/// One organization's writer: a thin shell around the synchronous `decide`/`evolve` of `OrgState`
///. It keeps two states: `working`, which the next command is decided against and which
/// runs ahead while appends are in flight, and `durable`, which only advances by events the log has
/// made durable and which readers see through `view`, without ever queueing on this actor.
public actor OrgActor {
    /// What the actor can do now; every entry point switches on it.
    enum Phase {
        case serving
        /// The log failed: writes answer `unavailable` for good, reads go on.
        case failed(String)
        /// The organization was deleted.
        case stopped
    }

    public nonisolated let id: OrgID
    private var working: OrgState
    private var durable: OrgState
    /// Events appended but not yet known durable, in seq order.
    private var inFlight = Deque<OrgEvent>()
    private var phase = Phase.serving
    /// The page indicator as the last `.pageStatusChanged` (or the recovered state) told it: a
    /// command that moves it gets that event appended to its batch, so that the live feeds carry
    /// `status_update` with a seq of its own.
    private var announced: PageStatus
    private let log: any EventLog
    private let clock: @Sendable () -> Date
    private let onPublish: @Sendable (OrgView, [OrgEvent]) -> Void
    private nonisolated let published: Mutex<OrgView>
    /// A lower bound of the log position of the oldest event appended but not yet in the view, or
    /// `UInt64.max` when every appended event is published; what a snapshot must replay from.
    private nonisolated let unpublished = Atomic<UInt64>(.max)
    /// Appends in flight, for setting back after a refused one (`setBack()`).
    private var appends = AppendsInFlight()
    /// Followers waiting for the answer to this actor's own appends in flight (`follow`): each resumed
    /// once `durable` reaches its seq, or once no append is in flight.
    private var followers: [(seq: Seq, waiter: CheckedContinuation<Void, Never>)] = []

    /// An actor over a recovered (or new, empty) state.
    /// - Parameters:
    ///   - onPublish: called on the actor, synchronously, with each new view and the events it adds,
    ///     in seq order; the live hub hooks in here. It must not block.
    public init(
        state: OrgState, log: any EventLog, clock: @escaping @Sendable () -> Date = { WallClock.now() },
        onPublish: @escaping @Sendable (OrgView, [OrgEvent]) -> Void = { _, _ in }
    ) {
        self.id = state.id
        self.working = state
        self.durable = state
        self.announced = state.pageStatus
        self.log = log
        self.clock = clock
        self.onPublish = onPublish
        self.published = Mutex(OrgView(state: state, publishedAt: clock()))
    }

    /// The current published view: a pointer read under a lock held for the swap only.
    public nonisolated var view: OrgView { published.withLock { $0 } }

    /// A lower bound of the log position of the oldest event not yet in `view`, if any. Read it before
    /// `view`: together they tell a snapshot what it has and where the rest starts.
    public nonisolated var unpublishedPosition: LogPosition? {
        let value = unpublished.load(ordering: .acquiring)
        return value == .max ? nil : LogPosition(value)
    }

    /// Decides `command`, appends its events, waits until they are durable, publishes them.
    ///
    /// On a log shared with other writers (cluster mode) the append may be refused: when another writer
    /// moved the organization first, the actor sets its state back, catches up from the log and decides
    /// `command` again while other writers keep getting there first (`ConflictRetry`), so a command that
    /// still applies succeeds and one that no longer does answers as `decide` says; when the log is
    /// unreachable it answers `.unavailable` and serves on.
    /// - Throws: `EngineError` from `decide`; `.conflict` when other writers won every attempt for
    ///   `ConflictRetry.patience`; `.unavailable` while the log is unreachable, or for good once it has
    ///   failed.
    ///
    /// With `key` (a client's Idempotency-Key), a command already applied under that key is not applied
    /// again: its events come back in a `replayed` commit.
    /// - Throws: also `.invalid` for a key used before by another request, `.conflict` for a key whose
    ///   first command is still being written.
    public func submit(_ command: OrgCommand, by principal: Principal, key: CommandKey? = nil) async throws -> Commit {
        try await ConflictRetry.submit(
            "the organization", attempt: { try await decideAndAppend(command, by: principal, key: key) },
            setBack: { await setBack() }, catchUp: { try await catchUp() })
    }

    /// One decide and one append: the only suspension point is the append; everything before it is
    /// synchronous, and nothing read before it is written back after it.
    private func decideAndAppend(_ command: OrgCommand, by principal: Principal, key: CommandKey?) async throws
        -> Commit
    {
        while appends.mustWaitToDecide { await withCheckedContinuation { appends.waitToDecide($0) } }
        switch phase {
        case .serving: break
        case .failed(let reason): throw EngineError(.unavailable, "writes are stopped: \(reason)")
        case .stopped: throw EngineError.notFound("organization", "organization")
        }
        if let key, let replayed = try replay(key) { return replayed }
        let now = clock()
        let changes = try working.decide(command, by: principal, at: now)
        guard !changes.isEmpty else { return Commit(events: [], seq: working.seq) }
        var events: [OrgEvent] = []
        if let key {
            let event = OrgEvent(
                seq: working.seq.next, at: now, by: principal,
                change: .commandKeyed(
                    key, events: changes.count + (movesPageStatus(changes, at: now, by: principal) ? 1 : 0)))
            working.evolve(event)
            events.append(event)
        }
        for change in changes {
            let event = OrgEvent(seq: working.seq.next, at: now, by: principal, change: change)
            working.evolve(event)
            events.append(event)
        }
        if changes.contains(where: \.canMovePageStatus), let move = working.pageStatusChange(from: announced) {
            let event = OrgEvent(seq: working.seq.next, at: now, by: principal, change: move)
            working.evolve(event)
            events.append(event)
            announced = working.pageStatus
        }
        if inFlight.isEmpty { unpublished.store(log.appendPosition.rawValue, ordering: .releasing) }
        inFlight.append(contentsOf: events)
        appends.started()
        defer {
            appends.finished()
            wakeFollowers()
        }
        do {
            _ = try await log.append(events.map { .organization(id, $0) }, isolation: self)
        } catch let refusal as AppendRefused {
            appends.refused = true
            throw refusal
        } catch {
            phase = .failed(String(describing: error))
            throw EngineError(.unavailable, "the event log failed: \(error)")
        }
        publish(through: events[events.count - 1].seq)
        return Commit(events: key == nil ? events : Array(events.dropFirst()), seq: events[events.count - 1].seq)
    }

    /// Whether `changes` will be followed by a `pageStatusChanged` event (tried on a copy: a keyed
    /// command's first event counts the events after it, that one included).
    private func movesPageStatus(_ changes: [OrgChange], at now: Date, by principal: Principal) -> Bool {
        guard changes.contains(where: \.canMovePageStatus) else { return false }
        var trial = working
        trial.applyForDecision(changes, at: now, by: principal)
        return trial.pageStatusChange(from: announced) != nil
    }

    /// The commit of a command applied before under `key`, once durable; nil for a key not seen.
    private func replay(_ key: CommandKey) throws -> Commit? {
        if let known = durable.keyedCommands[key.key] {
            guard known.fingerprint == key.fingerprint else {
                throw EngineError(
                    .invalid, field: "Idempotency-Key",
                    "this Idempotency-Key was used for another request; send a new key")
            }
            return Commit(events: known.events, seq: durable.seq, replayed: true)
        }
        guard working.keyedCommands[key.key] == nil else {
            throw EngineError(.conflict, "the request with this Idempotency-Key is still being written; retry")
        }
        return nil
    }

    /// After a refused append: waits until every append in flight is answered (those before the refused
    /// one land and are published; those after it were decided on top of it and are refused too), then
    /// drops what did not land, so that `working` is `durable` again, and lets the log take this
    /// organization's appends again. The first refused append to get here does it; the others find it
    /// done.
    private func setBack() async {
        if appends.count > 0 { await withCheckedContinuation { appends.wait($0) } }
        guard appends.takeRefusal() else { return }
        inFlight.removeAll()
        unpublished.store(.max, ordering: .releasing)
        working = durable
        announced = durable.pageStatus
        log.resume(.organization(id))
    }

    /// Applies events other writers appended (cluster mode: the node's follower of the log hands over
    /// each organization's events as it reads them), published as if this actor had written them:
    /// views, live frames with the log's seqs. Events it already has (its own, or caught up) are
    /// skipped; when `events` do not start right after what it has, the gap is read from the log.
    /// - Returns: the events applied, in seq order (for the registry's indexes).
    /// - Throws: `AppendRefused(.unavailable)` when the log cannot be read.
    @discardableResult
    public func follow(_ events: [OrgEvent]) async throws -> [OrgEvent] {
        guard let last = events.last, last.seq > durable.seq else { return [] }
        if last.seq <= working.seq, appends.count > 0 {
            // Seqs this actor has appended and not heard back about (the commit's notification can
            // come first): wait for the answer without holding decisions, as a catch-up would; most
            // often they are its own and there is nothing left to do.
            await withCheckedContinuation { followers.append((last.seq, $0)) }
            guard last.seq > durable.seq else { return [] }
        }
        return try await catchUp(given: events)
    }

    /// Resumes the followers whose seqs are durable, or all of them once no append is in flight.
    private func wakeFollowers() {
        guard !followers.isEmpty else { return }
        let idle = appends.count == 0
        followers.removeAll { follower in
            guard idle || follower.seq <= durable.seq else { return false }
            follower.waiter.resume()
            return true
        }
    }

    /// Applies what other writers appended since `durable`, publishing it as if this actor had written
    /// it (views, live frames): `given` when it follows on from `durable`, otherwise read from the log.
    @discardableResult
    private func catchUp(given: [OrgEvent] = []) async throws -> [OrgEvent] {
        // No decision until this is done, and none in flight meanwhile: the events read are applied on
        // the state the log has, with nothing of this actor's own on top of it.
        appends.beginCatchUp()
        defer { appends.endCatchUp() }
        await setBack()
        let events = try await eventsToFollow(
            given, after: durable.seq, seq: \.seq, stream: .organization(id), subject: "the organization", log: log
        ) { record in
            guard case .organization(_, let event) = record else { return nil }
            return event
        }
        guard inFlight.isEmpty, appends.count == 0 else { return [] }  // the log failed under an append
        for event in events where event.seq == working.seq.next {
            working.evolve(event)
            inFlight.append(event)
        }
        let applied = Array(inFlight)
        announced = working.pageStatus
        if let last = inFlight.last { publish(through: last.seq) }
        return applied
    }

    private func publish(through seq: Seq) {
        var events: [OrgEvent] = []
        while let first = inFlight.first, first.seq <= seq {
            durable.evolve(inFlight.removeFirst())
            events.append(first)
        }
        guard !events.isEmpty else { return }  // an earlier completion already published these
        precondition(durable.seq <= working.seq, "published seq \(durable.seq) ahead of working \(working.seq)")
        let view = OrgView(state: durable, publishedAt: events[events.count - 1].at)
        published.withLock { $0 = view }
        if inFlight.isEmpty { unpublished.store(.max, ordering: .releasing) }
        if !durable.exists { phase = .stopped }
        onPublish(view, events)
    }
}
