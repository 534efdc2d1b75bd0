package import Engine
import Foundation
package import Logging
import NIOCore
package import Persistence
package import PostgresNIO
import Synchronization

/// The event log on PostgreSQL (cluster mode): the same `EventLog` the WAL is, so the engine does not
/// know which one it writes to. Appends are gathered into batches, one batch in flight per node and the
/// next gathering meanwhile (the WAL's group commit), each batch one call of `statusd_append` between
/// BEGIN and COMMIT. An append returns once its batch's COMMIT has returned, so what it means to be
/// acknowledged is PostgreSQL's `synchronous_commit`.
///
/// Positions: an event's `position` is its place in the log (1, 2, ...); a `LogPosition` here is the
/// position the next event will take, so "replay from p" reads events at p and after, as with the WAL.
package final class PostgresEventLog: ServedEventLog, Sendable {
    /// Why an append did not land: `AppendRefused` (Engine), `.conflict` when the stream moved under it
    /// (another writer got there first), `.unavailable` when the log could not be reached within
    /// `retryFor` (the batch was retried with its command ids, so it did not land twice either).
    static func conflict(_ stream: StreamID, head: Seq) -> AppendRefused {
        AppendRefused(.conflict, "\(stream) is at seq \(head) in the log: another writer appended first")
    }

    /// One caller's records, waiting for a batch.
    private struct Pending {
        let stream: StreamID
        let expected: Seq
        let command: String
        let records: [ByteBuffer]
        let continuation: CheckedContinuation<LogPosition, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var writing = false
        /// Streams whose appends are refused until their writer has set its state back (`resume`).
        var fenced: Set<StreamID> = []
        /// One past the highest position this node has seen appended.
        var next: UInt64 = 1
        var batches = 0
        var records = 0
        /// Whether the last contact with the server succeeded, and when it did.
        var reachable = true
        var lastContact: ContinuousClock.Instant?
    }

    /// The pool that serves recovery's reads.
    package let client: PostgresClient
    /// The writer's own connection: one batch is in flight at a time, and a connection of its own
    /// fails fast when the server is gone, where a pool would queue the batch behind its reconnects.
    private let writer: BoundedConnection
    /// Catching up's own connection, for the same reason: a write waits on its catch-up.
    private let reader: BoundedConnection
    /// This node's name in the events it writes.
    package let node: String
    /// How long a batch is retried while the log is unreachable before its appends answer unavailable;
    /// the bound of a catch-up's read as well.
    package let retryFor: Duration
    private let logger: Logger
    private let state = Mutex(State())
    /// How far this node trails the log: kept by its follower (`LogFollower`), reported by `report`.
    package let following = FollowLag(cursor: LogPosition(1))
    package let batchRecords = Distribution(bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024, 4_096])
    package let durableSeconds = Distribution(
        bounds: [0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5])

    package init(
        client: PostgresClient, writer: PostgresConnection.Configuration, node: String, next: LogPosition,
        retryFor: Duration = .seconds(3), logger: Logger
    ) {
        self.client = client
        self.writer = BoundedConnection(configuration: writer, logger: logger)
        self.reader = BoundedConnection(configuration: writer, logger: logger)
        self.node = node
        self.retryFor = retryFor
        self.logger = logger
        state.withLock { $0.next = max(1, next.rawValue) }
    }

    /// Where a snapshot taken now replays from: the follower's cursor, before which every event is
    /// applied, whoever wrote it. The node's own appends are not a bound: other nodes' events before
    /// its last one may not be applied yet (and a shared snapshot must hold every event before its
    /// position: the leader removes them behind it); its appends in flight lower the snapshot's
    /// position themselves (`OrgActor.unpublishedPosition`).
    package var appendPosition: LogPosition { following.cursor }

    package var report: LogReport {
        state.withLock {
            LogReport(
                kind: .postgresql, position: LogPosition($0.next), batches: $0.batches, records: $0.records,
                reachable: $0.reachable, lag: following.report())
        }
    }

    /// A round trip on the writer's connection when no batch has made one in the last second. Never
    /// while a batch is being written: it reports reachability itself, and the probe's timeout closing
    /// the shared connection would cut a slow batch.
    package func probe() async {
        let skip = state.withLock { state in
            state.writing
                || (state.reachable && state.lastContact.map { ContinuousClock.now - $0 < .seconds(1) } ?? false)
        }
        guard !skip else { return }
        do {
            _ = try await writer.run(timeout: .seconds(2)) { connection in
                try await connection.query("SELECT 1", logger: self.logger).collect()
            }
            contacted()
        } catch {
            lost(error)
        }
    }

    private func contacted() {
        let was = state.withLock { state in
            defer {
                state.reachable = true
                state.lastContact = .now
            }
            return state.reachable
        }
        if !was { logger.notice("the event log on PostgreSQL is reachable again") }
    }

    private func lost(_ error: any Error) {
        let was = state.withLock { state in
            defer { state.reachable = false }
            return state.reachable
        }
        if was { logger.warning("the event log on PostgreSQL cannot be reached: \(Self.sentence(error))") }
    }

    /// The shared log keeps every event: snapshots let a node start faster, they free nothing here.
    package func trim(before position: LogPosition) throws -> Int { 0 }

    /// Closes the log's own connections; appends after it reopen one. Call it before letting go of the
    /// log (postgres-nio requires a connection closed before it is freed).
    package func shutDown() async {
        await writer.close()
        await reader.close()
    }

    /// Appends waiting for the next batch (the one in flight not counted).
    package var waitingAppends: Int { state.withLock { $0.queue.count } }

    package func append(_ records: [LogRecord], isolation: isolated (any Actor)? = #isolation) async throws
        -> LogPosition
    {
        guard let first = records.first else { return appendPosition }
        precondition(records.allSatisfy { $0.stream == first.stream }, "one append is one stream's records")
        let encoded = records.map(LogRecordCodec.encode)
        let command = UUID().uuidString.lowercased()
        return try await withCheckedThrowingContinuation(isolation: isolation) { continuation in
            // Queued before the first suspension, so one actor's appends keep their order (the
            // `EventLog` contract).
            let start = state.withLock { state -> Bool? in
                // Decided on top of a refused append: refused as well, unsent.
                if state.fenced.contains(first.stream) { return nil }
                state.queue.append(
                    Pending(
                        stream: first.stream, expected: Seq(first.seq.rawValue - 1), command: command,
                        records: encoded, continuation: continuation))
                defer { state.writing = true }
                return !state.writing
            }
            switch start {
            case nil: continuation.resume(throwing: Self.conflict(first.stream, head: Seq(first.seq.rawValue - 1)))
            case true?: Task { await self.write() }
            case false?: break
            }
        }
    }

    package func resume(_ stream: StreamID) {
        state.withLock { _ = $0.fenced.remove(stream) }
    }

    package func records(of stream: StreamID, after seq: Seq) async throws -> [LogRecord] {
        let query: PostgresQuery = """
            SELECT position, record FROM statusd_events WHERE stream = \(Self.name(stream)) \
            AND seq > \(Int64(seq.rawValue)) ORDER BY seq
            """
        let rows = try await reader.run(timeout: retryFor) { connection in
            try await connection.query(query, logger: self.logger).collect()
        }
        return try Self.decode(rows).map(\.1)
    }

    /// Sends batches until the queue is empty: one in flight, the next gathering meanwhile.
    private func write() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                defer { state.queue.removeAll() }
                if state.queue.isEmpty { state.writing = false }
                return state.queue
            }
            guard !batch.isEmpty else { return }
            let outcomes: [Outcome]
            do {
                outcomes = try await appendRetrying(batch)
            } catch {
                for pending in batch { pending.continuation.resume(throwing: error) }
                continue
            }
            let appended = zip(batch, outcomes).filter { $1.isAppended }.reduce(0) { $0 + $1.0.records.count }
            let highest = outcomes.compactMap(\.lastPosition).max()
            state.withLock { state in
                if let highest { state.next = max(state.next, highest + 1) }
                if appended > 0 {
                    state.batches += 1
                    state.records += appended
                }
            }
            if appended > 0 { batchRecords.record(Double(appended)) }
            // A refused stream is fenced before any caller hears of it, so that what they decide next
            // cannot slip in ahead of their setting back; appends of it that gathered meanwhile were
            // decided on top of the refused one and are refused too, unsent.
            let refused = Set(zip(batch, outcomes).compactMap { $1.isConflict ? $0.stream : nil })
            let stale = refused.isEmpty ? [] : fence(refused)
            for (pending, outcome) in zip(batch, outcomes) {
                switch outcome {
                case .appended(let last), .duplicate(let last):
                    pending.continuation.resume(returning: LogPosition(last + 1))
                case .conflict(let head):
                    pending.continuation.resume(throwing: Self.conflict(pending.stream, head: head))
                }
            }
            for pending in stale {
                pending.continuation.resume(throwing: Self.conflict(pending.stream, head: pending.expected))
            }
        }
    }

    /// Fences `streams` and takes their queued appends out.
    private func fence(_ streams: Set<StreamID>) -> [Pending] {
        state.withLock { state in
            state.fenced.formUnion(streams)
            let stale = state.queue.filter { streams.contains($0.stream) }
            state.queue.removeAll { streams.contains($0.stream) }
            return stale
        }
    }

    private enum Outcome {
        case appended(lastPosition: UInt64)
        case duplicate(lastPosition: UInt64)
        case conflict(head: Seq)

        var lastPosition: UInt64? {
            switch self {
            case .appended(let last), .duplicate(let last): last
            case .conflict: nil
            }
        }

        var isAppended: Bool {
            if case .appended = self { return true }
            return false
        }

        var isConflict: Bool {
            if case .conflict = self { return true }
            return false
        }
    }

    /// One batch, sent again with the same command ids while the log is unreachable (an append whose
    /// COMMIT went unanswered then comes back `duplicate` if it had landed), for up to `retryFor`.
    private func appendRetrying(_ batch: [Pending]) async throws -> [Outcome] {
        let deadline = ContinuousClock.now + retryFor
        var pause = Duration.milliseconds(50)
        while true {
            do {
                let start = ContinuousClock.now
                // An attempt never outlives the deadline by much: a server that stopped answering
                // (not even a reset) is given up on, its connection closed, and the batch retried.
                let outcomes = try await appendOnce(batch, timeout: max(deadline - start, .milliseconds(500)))
                durableSeconds.record((ContinuousClock.now - start).seconds)
                contacted()
                return outcomes
            } catch {
                lost(error)
                guard ContinuousClock.now + pause < deadline else {
                    logger.warning("event log append failed", metadata: ["error": "\(String(reflecting: error))"])
                    throw AppendRefused(.unavailable, "the event log is unreachable: \(Self.sentence(error))")
                }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(500))
            }
        }
    }

    private func appendOnce(_ batch: [Pending], timeout: Duration) async throws -> [Outcome] {
        let streams = batch.map { Self.name($0.stream) }
        let expected = batch.map { Int64($0.expected.rawValue) }
        let counts = batch.map { Int32($0.records.count) }
        let commands = batch.map(\.command)
        let records = batch.flatMap(\.records)
        let query: PostgresQuery = """
            SELECT outcome, head, last_position FROM statusd_append(\(node), \(streams), \(expected), \
            \(counts), \(commands), \(records))
            """
        // In a transaction of its own, not autocommit: postgres-nio ends a query at its CommandComplete,
        // which PostgreSQL sends before an implicit transaction commits (at the Sync after it), so a
        // connection lost in between would hand back `appended` for a batch that rolled back. An
        // explicit COMMIT completes only once the commit is durable; lost before that, the outcome is
        // unknown and the batch is sent again (duplicates come back as such).
        let rows = try await writer.transaction(timeout: timeout) { connection in
            try await connection.query(query, logger: self.logger).collect()
        }
        var outcomes: [Outcome] = []
        for row in rows {
            let (outcome, head, last) = try row.decode((String, Int64, Int64?).self)
            switch (outcome, last) {
            case ("appended", let last?): outcomes.append(.appended(lastPosition: UInt64(last)))
            case ("duplicate", let last?): outcomes.append(.duplicate(lastPosition: UInt64(last)))
            case ("conflict", _): outcomes.append(.conflict(head: Seq(UInt64(max(head, 0)))))
            default:
                throw PostgresLogError(description: "statusd_append answered '\(outcome)' without a position")
            }
        }
        guard outcomes.count == batch.count else {
            throw PostgresLogError(
                description: "statusd_append answered \(outcomes.count) rows for \(batch.count) appends")
        }
        return outcomes
    }

    /// The events at `position` and after, in order, at most `limit`: recovery and (later) the tail.
    /// - Throws: a decoding error naming the position of a record this statusd cannot read (a newer
    ///   version): never skipped.
    package func records(from position: LogPosition, limit: Int) async throws -> [(LogPosition, LogRecord)] {
        let rows = try await client.query(
            """
            SELECT position, record FROM statusd_events WHERE position >= \(Int64(position.rawValue)) \
            ORDER BY position LIMIT \(Int64(limit))
            """, logger: logger
        ).collect()
        return try Self.decode(rows)
    }

    /// The events at `position` and after, as `records(from:limit:)`, and what tells the last one from
    /// any other event that could take its position after a restore or a failover: its stream, seq
    /// and the command that wrote it (unique per stream).
    package func page(from position: LogPosition, limit: Int) async throws
        -> (records: [(LogPosition, LogRecord)], last: String?)
    {
        let (client, logger) = (self.client, self.logger)
        let rows = try await BoundedConnection.race(timeout: Self.followerReadTimeout) {
            try await client.query(
                """
                SELECT position, record, stream || ':' || seq || ':' || command FROM statusd_events \
                WHERE position >= \(Int64(position.rawValue)) ORDER BY position LIMIT \(Int64(limit))
                """, logger: logger
            ).collect()
        }
        var records: [(LogPosition, LogRecord)] = []
        var last: String?
        for row in rows {
            let (at, bytes, identity) = try row.decode((Int64, ByteBuffer, String).self)
            records.append((LogPosition(UInt64(at)), try Self.record(bytes, at: at)))
            last = identity
        }
        return (records, last)
    }

    /// How long the follower waits for one of its reads (`look`, `page`): past it the read counts as
    /// failed and is tried again on the next ring, so that a pool connection that never answers (its
    /// backend terminated mid-query) cannot stop the node following for good.
    static let followerReadTimeout = Duration.seconds(10)

    /// What a follower checks on every read, in one round trip: the last position handed out, the
    /// log's epoch, what tells the event at `position` from another (as `page` gives it; nil when
    /// there is none), and the position before which the leader removed events (1: none).
    package func look(at position: LogPosition) async throws -> Look {
        let (client, logger) = (self.client, self.logger)
        let rows = try await BoundedConnection.race(timeout: Self.followerReadTimeout) {
            try await client.query(
                """
                SELECT (SELECT position FROM statusd_log_head), (SELECT value FROM statusd_meta WHERE key = 'epoch'), \
                e.stream || ':' || e.seq || ':' || e.command, \
                (SELECT value::bigint FROM statusd_meta WHERE key = 'pruned_before') FROM (SELECT 1) AS one \
                LEFT JOIN statusd_events e ON e.position = \(Int64(position.rawValue))
                """, logger: logger
            ).collect()
        }
        guard let row = rows.first else { throw PostgresLogError(description: "the log's head cannot be read") }
        let (head, epoch, event, pruned) = try row.decode((Int64?, String?, String?, Int64?).self)
        guard let head, let epoch else {
            throw PostgresLogError(description: "statusd_log_head or the epoch is missing: not a statusd log")
        }
        return Look(head: UInt64(max(head, 0)), epoch: epoch, event: event, prunedBefore: UInt64(max(pruned ?? 1, 1)))
    }

    /// What `look` found.
    package struct Look: Sendable {
        package let head: UInt64
        package let epoch: String
        package let event: String?
        package let prunedBefore: UInt64
    }

    /// Every stream's last seq, as the log has it.
    package func streamHeads() async throws -> [(StreamID, Seq)] {
        var heads: [(StreamID, Seq)] = []
        let rows = try await client.query("SELECT stream, seq FROM statusd_stream_heads", logger: logger)
        for try await (name, seq) in rows.decode((String, Int64).self) {
            guard let stream = Self.stream(named: name) else {
                throw PostgresLogError(description: "statusd_stream_heads names a stream '\(name)' that is not one")
            }
            heads.append((stream, Seq(UInt64(max(seq, 0)))))
        }
        return heads
    }

    private static func decode(_ rows: [PostgresRow]) throws -> [(LogPosition, LogRecord)] {
        var found: [(LogPosition, LogRecord)] = []
        for row in rows {
            let (at, bytes) = try row.decode((Int64, ByteBuffer).self)
            found.append((LogPosition(UInt64(at)), try record(bytes, at: at)))
        }
        return found
    }

    private static func record(_ bytes: ByteBuffer, at position: Int64) throws -> LogRecord {
        do {
            return try LogRecordCodec.decode(bytes)
        } catch {
            throw PostgresLogError(description: "the event at position \(position) cannot be read: \(error)")
        }
    }

    /// The stream's name in the log: 'directory', or the organization's id.
    static func name(_ stream: StreamID) -> String {
        switch stream {
        case .directory: "directory"
        case .organization(let id): id.description
        }
    }

    static func stream(named name: String) -> StreamID? {
        name == "directory" ? .directory : OrgID(name).map { .organization($0) }
    }

    /// A PostgreSQL or connection error as a sentence (postgres-nio's errors print their type names).
    package static func sentence(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}

/// A log that cannot be read as this statusd expects, said in one sentence.
package struct PostgresLogError: Error, CustomStringConvertible {
    package let description: String
}
