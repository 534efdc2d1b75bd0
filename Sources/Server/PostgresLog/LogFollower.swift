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
    private let registry: Registry
    private let directory: Directory
    private let poll: Duration
    private let logger: Logger
    private let state: Mutex<State>

    struct State {
        /// The position of the next event to read.
        var cursor: LogPosition
        /// Whether the last read failed (logged once per outage).
        var failing = false
    }

    /// - Parameter from: the position after the last event the node recovered.
    package init(
        log: PostgresEventLog, listener: PostgresConnection.Configuration, from: LogPosition, registry: Registry,
        directory: Directory, poll: Duration = .milliseconds(300), logger: Logger
    ) {
        self.log = log
        self.listener = listener
        self.registry = registry
        self.directory = directory
        self.poll = poll
        self.logger = logger
        self.state = Mutex(State(cursor: from))
    }

    /// The position of the next event this node will read.
    package var cursor: LogPosition { state.withLock { $0.cursor } }

    /// Follows until cancelled.
    package func run() async {
        let (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.listen(ringing: ring) }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.poll)
                    ring.yield()
                }
            }
            for await _ in doorbell {
                if Task.isCancelled { break }
                await readToTheEnd()
            }
            group.cancelAll()
        }
    }

    /// Reads and applies pages until the log has no more.
    func readToTheEnd() async {
        while !Task.isCancelled {
            let from = cursor
            do {
                let page = try await log.records(from: from, limit: 1_000)
                guard let last = page.last else { break }
                try await apply(page)
                state.withLock { $0.cursor = LogPosition(last.0.rawValue + 1) }
                recovered()
                if page.count < 1_000 { break }
            } catch {
                // The cursor stays: the page is read again next time, and what was applied of it is
                // skipped then (each writer skips what it has).
                failed(error)
                break
            }
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
        for id in order { try await registry.follow(id, organizations[id] ?? []) }
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
