import DequeModule
public import Foundation  // Date appears in the clock the actor is given.
import Synchronization

/// The directory stream's writer, built like `OrgActor`: decide against a working state, append,
/// publish the durable state for lock-free-in-spirit reads (a pointer swap under a lock).
public actor Directory {
    private var working: DirectoryState
    private var durable: DirectoryState
    private var inFlight = Deque<DirectoryEvent>()
    private var failure: String?
    private let log: any EventLog
    private let clock: @Sendable () -> Date
    private nonisolated let published: Mutex<DirectoryState>
    /// As `OrgActor.unpublishedPosition`: where a snapshot must replay the directory from.
    private nonisolated let unpublished = Atomic<UInt64>(.max)
    /// Appends in flight, for setting back after a refused one (`setBack()`).
    private var appends = AppendsInFlight()

    public init(
        state: DirectoryState = DirectoryState(), log: any EventLog,
        clock: @escaping @Sendable () -> Date = { WallClock.now() }
    ) {
        self.working = state
        self.durable = state
        self.log = log
        self.clock = clock
        self.published = Mutex(state)
    }

    /// The durable directory as readers see it (sign-in, session and identity checks).
    public nonisolated var state: DirectoryState { published.withLock { $0 } }

    /// A lower bound of the log position of the oldest directory event not yet in `state`, if any.
    public nonisolated var unpublishedPosition: LogPosition? {
        let value = unpublished.load(ordering: .acquiring)
        return value == .max ? nil : LogPosition(value)
    }

    /// Decides `command`, appends its events, and returns them once durable and published. On a shared
    /// log a refused append is handled as `OrgActor.submit` does: set back, catch up, decide again while
    /// other writers keep getting there first (`ConflictRetry`).
    /// - Throws: `EngineError` from `decide`; `.conflict` when other writers won every attempt;
    ///   `.unavailable` while the log is unreachable, or for good once it has failed.
    public func submit(_ command: DirectoryCommand) async throws -> [DirectoryEvent] {
        try await ConflictRetry.submit(
            "the directory", attempt: { try await decideAndAppend(command) }, setBack: { await setBack() },
            catchUp: { try await catchUp() })
    }

    private func decideAndAppend(_ command: DirectoryCommand) async throws -> [DirectoryEvent] {
        while appends.mustWaitToDecide { await withCheckedContinuation { appends.waitToDecide($0) } }
        if let failure { throw EngineError(.unavailable, "writes are stopped: \(failure)") }
        let now = clock()
        let changes = try working.decide(command, at: now)
        guard !changes.isEmpty else { return [] }
        var events: [DirectoryEvent] = []
        for change in changes {
            let event = DirectoryEvent(seq: working.seq.next, at: now, change: change)
            working.evolve(event)
            events.append(event)
        }
        if inFlight.isEmpty { unpublished.store(log.appendPosition.rawValue, ordering: .releasing) }
        inFlight.append(contentsOf: events)
        appends.started()
        defer { appends.finished() }
        do {
            _ = try await log.append(events.map(LogRecord.directory), isolation: self)
        } catch let refusal as AppendRefused {
            appends.refused = true
            throw refusal
        } catch {
            failure = String(describing: error)
            throw EngineError(.unavailable, "the event log failed: \(error)")
        }
        publish(through: events[events.count - 1].seq)
        return events
    }

    private func publish(through last: Seq) {
        while let first = inFlight.first, first.seq <= last { durable.evolve(inFlight.removeFirst()) }
        published.withLock { [durable] in $0 = durable }
        if inFlight.isEmpty { unpublished.store(.max, ordering: .releasing) }
    }

    /// As `OrgActor.setBack()`: once every append in flight is answered, drop what did not land.
    private func setBack() async {
        if appends.count > 0 { await withCheckedContinuation { appends.wait($0) } }
        guard appends.takeRefusal() else { return }
        inFlight.removeAll()
        unpublished.store(.max, ordering: .releasing)
        working = durable
        log.resume(.directory)
    }

    /// Applies directory events other writers appended, as `OrgActor.follow` does for an organization.
    public func follow(_ events: [DirectoryEvent]) async throws {
        guard let last = events.last, last.seq > durable.seq else { return }
        try await catchUp(given: events)
    }

    /// Applies what other writers appended to the directory since `durable`, with no decision made
    /// meanwhile (as `OrgActor.catchUp()`): `given` when it follows on from `durable`, otherwise read
    /// from the log.
    private func catchUp(given: [DirectoryEvent] = []) async throws {
        appends.beginCatchUp()
        defer { appends.endCatchUp() }
        await setBack()
        let events = try await eventsToFollow(
            given, after: durable.seq, seq: \.seq, stream: .directory, subject: "the directory", log: log
        ) { record in
            guard case .directory(let event) = record else { return nil }
            return event
        }
        guard inFlight.isEmpty, appends.count == 0 else { return }
        for event in events where event.seq == working.seq.next {
            working.evolve(event)
            inFlight.append(event)
        }
        if let last = inFlight.last { publish(through: last.seq) }
    }
}
