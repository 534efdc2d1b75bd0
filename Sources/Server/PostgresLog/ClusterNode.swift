import Engine
import Foundation
package import Logging
package import Persistence
package import PostgresNIO

/// A statusd node on the log on PostgreSQL (cluster mode), opened for serving. The data directory
/// still holds what is the node's own: its lock, its snapshots (under `cluster/<epoch>/`, so that a
/// snapshot of another log is never read against this one), the history archive and keys; the events
/// are the database's.
package final class ClusterNode: Sendable {
    package let client: PostgresClient
    package let log: PostgresEventLog
    package let identity: LogSchema.Identity
    package let snapshots: SnapshotStore
    /// The connection settings of the log's own connections (the follower's LISTEN one).
    package let connection: PostgresConnection.Configuration
    private let running: Task<Void, Never>

    private init(
        client: PostgresClient, log: PostgresEventLog, identity: LogSchema.Identity, snapshots: SnapshotStore,
        connection: PostgresConnection.Configuration, running: Task<Void, Never>
    ) {
        self.client = client
        self.log = log
        self.identity = identity
        self.snapshots = snapshots
        self.connection = connection
        self.running = running
    }

    /// Connects, creates the schema when there is none, and rebuilds the states from the node's newest
    /// snapshot (or the log's base) and the events after it.
    /// - Throws: `PostgresLogError` or `LogSchema.Refusal` with a sentence that says what to do (a data
    ///   directory holding a local log, a newer schema, an event this statusd cannot read).
    package static func open(
        url: PostgresURL, dataDirectory: DataDirectory, node: String, logger: Logger
    ) async throws -> (ClusterNode, RecoveredStates) {
        guard try WALFiles.segments(in: dataDirectory.walPath).isEmpty else {
            throw PostgresLogError(
                description:
                    "the data directory \(dataDirectory.path) holds a local event log (wal/): move it to PostgreSQL with `statusd cluster import --data-dir \(dataDirectory.path)` and start the node on an empty data directory, or unset postgres_url"
            )
        }
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        let running = Task { await client.run() }
        do {
            let identity = try await LogSchema.prepare(client, create: true, logger: logger)
            let snapshots = try snapshotStore(of: identity, in: dataDirectory, logger: logger)
            // Read first: other writers only move it on, and the log's next position is a lower bound.
            let head = try await headPosition(client, logger: logger)
            let connection = try url.connectionConfiguration(connectTimeout: .seconds(2))
            let log = PostgresEventLog(
                client: client, writer: connection, node: node, next: LogPosition(head + 1), logger: logger)
            // The node's own newest snapshot, unless the cluster's newest is newer or the log no longer
            // holds the events after the node's (the leader removed them behind its shared snapshots).
            var own = try snapshots.loadNewest(logger: logger)
            if let ahead = own, ahead.replayFrom.rawValue > head + 1 {
                // Of this epoch, yet past the log's end: the log was restored from an older copy without
                // a new epoch (docs/CLUSTER.md, "Restoring the log"). Its states are of events the log
                // no longer has; the log is the truth.
                logger.warning(
                    "the node's snapshot is at position \(ahead.replayFrom.rawValue - 1), past the log's end (\(head)): the log was restored; removing the node's snapshots and reloading from the log"
                )
                try snapshots.removeAll()
                own = nil
            }
            let recovered: RecoveredStates
            let through: LogPosition
            do {
                let snapshot = try await startingSnapshot(own: own, client, logger: logger)
                (recovered, through) = try await recover(from: log, snapshot: snapshot, logger: logger)
            } catch {
                // The leader removed events behind a newer shared snapshot while this node read its
                // own, older one: start again from the shared one.
                guard let own, try await SharedSnapshots.prunedBefore(client, logger: logger) > own.replayFrom.rawValue
                else { throw error }
                logger.notice(
                    "the log's events after the node's snapshot were removed while it started; starting from the cluster's newest snapshot"
                )
                (recovered, through) = try await recover(
                    from: log, snapshot: try await startingSnapshot(own: nil, client, logger: logger), logger: logger)
            }
            // Recovery just read to the end: the follower goes on from there.
            log.following.applied(through: through)
            log.following.caughtUp(asOf: .now)
            return (
                ClusterNode(
                    client: client, log: log, identity: identity, snapshots: snapshots, connection: connection,
                    running: running),
                recovered
            )
        } catch {
            running.cancel()
            await running.value
            throw error
        }
    }

    /// After the last append: closes the writer's connection, then the pool.
    package func close() async {
        await log.shutDown()
        running.cancel()
        await running.value
    }

    /// Where a node starts: its own snapshot if the log still holds every event after it and the
    /// cluster has no newer one; else the cluster's newest shared snapshot (or the log's base).
    static func startingSnapshot(own: SnapshotCapture?, _ client: PostgresClient, logger: Logger) async throws
        -> SnapshotCapture?
    {
        let prunedBefore = try await SharedSnapshots.prunedBefore(client, logger: logger)
        if let own, own.replayFrom.rawValue >= prunedBefore {
            let shared = try await SharedSnapshots.newestPosition(client, logger: logger)
            if shared.map({ $0 <= own.replayFrom.rawValue }) ?? true { return own }
        }
        let shared = try await SharedSnapshots.newest(client, logger: logger)
        if let shared {
            logger.info("starting from the cluster's shared snapshot at position \(shared.replayFrom)")
        } else if prunedBefore > 1 {
            throw PostgresLogError(
                description:
                    "the log's events before position \(prunedBefore) were removed but it holds no shared snapshot: restore the log from a backup"
            )
        }
        return shared
    }

    /// `<data>/cluster/<epoch>/snapshots`; the folders of other epochs are snapshots of a log that is no
    /// longer this one (restored or replaced), removed so that nothing reads them.
    static func snapshotStore(of identity: LogSchema.Identity, in dataDirectory: DataDirectory, logger: Logger)
        throws -> SnapshotStore
    {
        let cluster = dataDirectory.path + "/cluster"
        let files = FileManager.default
        for name in (try? files.contentsOfDirectory(atPath: cluster)) ?? [] where name != identity.epoch {
            logger.notice("removing snapshots of another log (epoch \(name)): this log's epoch is \(identity.epoch)")
            try files.removeItem(atPath: cluster + "/" + name)
        }
        return SnapshotStore(path: cluster + "/" + identity.epoch + "/snapshots")
    }

    /// The states at the log's head: the snapshot's, the events from its replay position on in log
    /// order, and whatever other writers appended before that position which the snapshot never saw
    /// (each stream's missing events read by seq, so nothing depends on where they sit in the log).
    /// - Returns: the states, and the position after the last event read.
    static func recover(from log: PostgresEventLog, snapshot: SnapshotCapture?, logger: Logger) async throws
        -> (RecoveredStates, LogPosition)
    {
        var recovered = RecoveredStates(snapshot: snapshot)
        var from = max(LogPosition(1), snapshot?.replayFrom ?? LogPosition(1))
        while true {
            let page = try await log.records(from: from, limit: 10_000)
            for (position, record) in page {
                try await apply(record, to: &recovered, from: log)
                from = LogPosition(position.rawValue + 1)
            }
            if page.count < 10_000 { break }
            logger.info("recovery: \(recovered.records) events applied, at position \(from)")
        }
        for (stream, head) in try await log.streamHeads() where recovered.seq(of: stream) < head {
            for record in try await log.records(of: stream, after: recovered.seq(of: stream)) {
                try await apply(record, to: &recovered, from: log)
            }
        }
        recovered.finish()
        return (recovered, from)
    }

    private static func apply(_ record: LogRecord, to recovered: inout RecoveredStates, from log: PostgresEventLog)
        async throws
    {
        guard let reached = recovered.applyInSeqOrder(record) else { return }
        for missing in try await log.records(of: record.stream, after: reached) where missing.seq < record.seq {
            guard recovered.applyInSeqOrder(missing) == nil else { break }
        }
        guard recovered.applyInSeqOrder(record) == nil else {
            throw PostgresLogError(
                description:
                    "\(record.stream): the log has no event between seq \(recovered.seq(of: record.stream)) and \(record.seq)"
            )
        }
    }

    private static func headPosition(_ client: PostgresClient, logger: Logger) async throws -> UInt64 {
        let rows = try await client.query("SELECT position FROM statusd_log_head", logger: logger).collect()
        guard let position = try rows.first?.decode(Int64.self) else {
            throw PostgresLogError(description: "statusd_log_head has no row: not a statusd log")
        }
        return UInt64(position)
    }
}
