package import Engine
package import Logging
import Persistence
package import PostgresNIO
import Synchronization

/// Follows the log on PostgreSQL, so that every node serves every organization's latest state and
/// live frames, whichever node wrote: reads the events after its cursor in log order and hands each
/// stream's events to its writer (`Registry.follow`, `Directory.follow`), which skips what it has
/// (its own events, or ones caught up after a conflict) and publishes the rest as if it had written
/// them. Positions are handed out under a lock and become visible in order (docs/FORMAT.md), so
/// "position >= cursor" never skips an event committed later with a lower position.
///
/// When to read: a dedicated connection LISTENs on `statusd_log` (every append notifies it) as the
/// doorbell; a poll every `poll` is the backstop (a notification is lost with its connection), and a
/// new LISTEN connection reads at once.
package final class LogFollower: Sendable {
    private let log: PostgresEventLog
    private let listener: PostgresConnection.Configuration
    private let epoch: String
    private let registry: Registry
    private let directory: Directory
    /// Copies the archive blocks an organization's `historyArchived` event moved out of memory.
    private let archive: SharedArchive?
    private let poll: Duration
    private let logger: Logger
    private let state: Mutex<State>

    struct State {
        /// What tells the event before the cursor from another (stream, seq, command), once the
        /// follower has applied one: it must still be there on the next read, or the log was replaced.
        var last: String?
        /// Whether the last read failed (logged once per outage).
        var failing = false
    }

    /// The log is not the one this node follows (restored from a backup, or replaced): the node must
    /// reload from it, which a restart does (`ClusterNode.open`).
    package struct Replaced: Error, CustomStringConvertible {
        package let description: String
    }

    /// - Parameter epoch: the log's epoch when the node recovered from it.
    package init(
        log: PostgresEventLog, listener: PostgresConnection.Configuration, epoch: String, registry: Registry,
        directory: Directory, archive: SharedArchive? = nil, poll: Duration = .milliseconds(300), logger: Logger
    ) {
        self.log = log
        self.listener = listener
        self.epoch = epoch
        self.registry = registry
        self.directory = directory
        self.archive = archive
        self.poll = poll
        self.logger = logger
        self.state = Mutex(State())
    }

    /// The position of the next event this node will read.
    package var cursor: LogPosition { log.following.cursor }

    /// Follows until cancelled.
    /// - Throws: `Replaced` when the log is no longer the one the node recovered from.
    package func run() async throws {
        let (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.listen(ringing: ring) }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.poll)
                    ring.yield()
                }
            }
            defer { group.cancelAll() }
            for await _ in doorbell {
                if Task.isCancelled { break }
                try await readToTheEnd()
            }
        }
    }

    /// Checks that the log is still the one followed, then reads and applies pages until it has no more.
    /// - Throws: `Replaced`; other failures are logged and retried on the next ring.
    func readToTheEnd() async throws {
        let started = ContinuousClock.now
        log.following.reading(at: started)
        var from = cursor
        do {
            let look = try await log.look(at: LogPosition(from.rawValue - 1))
            try check(look, cursor: from)
            log.following.looked(atHead: look.head)
            while !Task.isCancelled {
                let (page, identity) = try await log.page(from: from, limit: 1_000)
                if let (position, _) = page.last {
                    try await apply(page)
                    from = LogPosition(position.rawValue + 1)
                    log.following.applied(through: from)
                    state.withLock { $0.last = identity }
                }
                if page.count < 1_000 {
                    log.following.caughtUp(asOf: started)
                    break
                }
            }
            recovered()
        } catch let error as Replaced {
            throw error
        } catch {
            // The cursor stays: the page is read again next time, and what was applied of it is
            // skipped then (each writer skips what it has).
            failed(error)
        }
    }

    /// Throws `Replaced` when the log's epoch changed, its head went back behind the cursor, the
    /// event before the cursor is not the one this node applied there (a failover to a standby that
    /// had not received the tail, then new writes in its place), or the leader removed events this
    /// node has not read (it trailed for longer than the log keeps them: it must start again from the
    /// cluster's shared snapshot).
    private func check(_ look: PostgresEventLog.Look, cursor: LogPosition) throws {
        guard look.epoch == epoch else {
            throw Replaced(
                description:
                    "the log's epoch is now \(look.epoch), not \(epoch): it was restored or reset; restart the node to reload from it"
            )
        }
        guard look.head + 1 >= cursor.rawValue else {
            throw Replaced(
                description:
                    "the log ends at position \(look.head) but this node applied events up to \(cursor.rawValue - 1): it was restored from an older copy; restart the node to reload from it"
            )
        }
        guard cursor.rawValue >= look.prunedBefore else {
            throw Replaced(
                description:
                    "the log's events before position \(look.prunedBefore) were removed but this node has read only up to \(cursor.rawValue - 1): restart the node to start from the cluster's shared snapshot"
            )
        }
        // The event before the cursor is gone when it was removed behind a shared snapshot.
        if let last = state.withLock({ $0.last }), cursor.rawValue - 1 >= look.prunedBefore, look.event != last {
            throw Replaced(
                description:
                    "the event at position \(cursor.rawValue - 1) is not the one this node applied there: the log was replaced; restart the node to reload from it"
            )
        }
    }
    /// Hands each stream's events in the page to its writer, streams in the order they first appear.
    private func apply(_ page: [(LogPosition, LogRecord)]) async throws {
        var organizations: [OrgID: [OrgEvent]] = [:]
        var order: [OrgID] = []
        var directoryEvents: [DirectoryEvent] = []
        for (_, record) in page {
            switch record {
            case .directory(let event): directoryEvents.append(event)
            case .organization(let id, let event):
                if organizations[id] == nil { order.append(id) }
                organizations[id, default: []].append(event)
            }
        }
        // The directory first: an organization's events may name accounts it created.
        if !directoryEvents.isEmpty { try await directory.follow(directoryEvents) }
        for id in order {
            let events = organizations[id] ?? []
            // The archived items must be readable here before they leave this node's memory.
            if let archive, events.contains(where: \.movesHistoryToTheArchive) { try await archive.copy(id) }
            try await registry.follow(id, events)
        }
    }

    /// Holds a LISTEN connection, ringing on every notification and once on each new connection
    /// (notifications sent while it was down are lost); reconnects a second after losing it.
    private func listen(ringing ring: AsyncStream<Void>.Continuation) async {
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: listener, id: attempt, logger: logger)
                await withTaskCancellationHandler {
                    do {
                        try await connection.listen(on: "statusd_log") { notifications in
                            ring.yield()
                            for try await _ in notifications { ring.yield() }
                        }
                    } catch {
                        if !Task.isCancelled {
                            logger.notice("the log's LISTEN connection ended: \(PostgresEventLog.sentence(error))")
                        }
                    }
                } onCancel: {
                    connection.close().whenComplete { _ in }
                }
                try? await connection.close()
            } catch {
                if !Task.isCancelled {
                    logger.debug("the log's LISTEN connection could not be opened: \(PostgresEventLog.sentence(error))")
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func failed(_ error: any Error) {
        let first = state.withLock { state in
            defer { state.failing = true }
            return !state.failing
        }
        if first {
            logger.warning("following the log failed, retrying: \(PostgresEventLog.sentence(error))")
        }
    }

    private func recovered() {
        let was = state.withLock { state in
            defer { state.failing = false }
            return state.failing
        }
        if was { logger.notice("following the log again at position \(cursor)") }
    }
}

extension OrgEvent {
    fileprivate var movesHistoryToTheArchive: Bool {
        if case .historyArchived = change { return true }
        return false
    }
}
