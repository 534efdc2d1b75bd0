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

    /// Decides `command`, appends its events, and returns them once durable and published.
    /// - Throws: `EngineError` from `decide`, or `.unavailable` once the log has failed.
    public func submit(_ command: DirectoryCommand) async throws -> [DirectoryEvent] {
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
        do {
            _ = try await log.append(events.map(LogRecord.directory), isolation: self)
        } catch {
            failure = String(describing: error)
            throw EngineError(.unavailable, "the event log failed: \(error)")
        }
        let last = events[events.count - 1].seq
        while let first = inFlight.first, first.seq <= last { durable.evolve(inFlight.removeFirst()) }
        published.withLock { [durable] in $0 = durable }
        if inFlight.isEmpty { unpublished.store(.max, ordering: .releasing) }
        return events
    }
}
