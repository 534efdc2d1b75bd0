package import Engine
package import Logging
import Persistence
package import PostgresNIO

/// The cluster's shared snapshots (`statusd_snapshots`, schema version 3): the leader stores each
/// snapshot it takes, keeps the two newest, and removes the events behind the older of them
/// (`statusd_prune`), so the log does not grow for ever; a node with no snapshot of its own, or one
/// from before the removed events, starts from the newest (`ClusterNode.open`).
package struct SharedSnapshots: Sendable {
    package let client: PostgresClient
    package let logger: Logger

    /// Events removed per transaction.
    static let pruneStep: Int64 = 20_000

    package init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// What was done with one snapshot.
    package struct Stored: Sendable {
        package let bytes: Int
        /// Events removed behind the older of the two kept snapshots.
        package let pruned: Int64
        package let prunedBefore: UInt64
    }

    /// Stores a snapshot the leader took (its file's bytes), drops all but the two newest, and
    /// removes the events behind the older one.
    /// - Parameter writer: the node's bookkeeping connection, every call bounded in time.
    package func store(_ bytes: [UInt8], replayFrom: LogPosition, node: String, writer: BoundedConnection)
        async throws -> Stored
    {
        let (logger, buffer) = (self.logger, ByteBuffer(bytes: bytes))
        _ = try await writer.transaction(timeout: .seconds(30)) { connection in
            try await connection.query(
                """
                INSERT INTO statusd_snapshots (position, node, snapshot) \
                VALUES (\(Int64(replayFrom.rawValue)), \(node), \(buffer)) ON CONFLICT (position) DO NOTHING
                """, logger: logger)
            try await connection.query(
                """
                DELETE FROM statusd_snapshots WHERE position < \
                (SELECT min(position) FROM (SELECT position FROM statusd_snapshots ORDER BY position DESC LIMIT 2) s)
                """, logger: logger)
        }
        var pruned: Int64 = 0
        while true {
            let step = try await writer.transaction(timeout: .seconds(30)) { connection in
                try await connection.query("SELECT statusd_prune(\(Self.pruneStep))", logger: logger)
                    .collect().first?.decode(Int64.self) ?? 0
            }
            guard step > 0 else { break }
            pruned += step
        }
        return Stored(
            bytes: bytes.count, pruned: pruned, prunedBefore: try await Self.prunedBefore(client, logger: logger))
    }

    /// The newest shared snapshot, else the base the log was imported from; nil for a log that
    /// has neither (it holds every event from position 1).
    package static func newest(_ client: PostgresClient, logger: Logger) async throws -> SnapshotCapture? {
        let newest = try await client.query(
            """
            SELECT snapshot, source FROM ( \
            (SELECT snapshot, 'statusd_snapshots, position ' || position AS source, position FROM statusd_snapshots \
            ORDER BY position DESC LIMIT 1) UNION ALL (SELECT snapshot, 'statusd_base', -1 FROM statusd_base)) AS s \
            ORDER BY position DESC LIMIT 1
            """, logger: logger
        ).collect()
        guard let row = newest.first else { return nil }
        let (bytes, source) = try row.decode((ByteBuffer, String).self)
        return try SnapshotStore.decode(Array(bytes.readableBytesView), from: source)
    }

    /// The replay position of the newest shared snapshot, read without its bytes.
    package static func newestPosition(_ client: PostgresClient, logger: Logger) async throws -> UInt64? {
        let rows = try await client.query("SELECT max(position) FROM statusd_snapshots", logger: logger).collect()
        return try rows.first?.decode(Int64?.self).map { UInt64(max($0, 0)) }
    }

    /// The position before which the log's events were removed (1: none were).
    package static func prunedBefore(_ client: PostgresClient, logger: Logger) async throws -> UInt64 {
        let rows = try await client.query(
            "SELECT value::bigint FROM statusd_meta WHERE key = 'pruned_before'", logger: logger
        ).collect()
        return UInt64(max(try rows.first?.decode(Int64.self) ?? 1, 1))
    }
}
