import Engine
import Foundation
package import Logging
package import Persistence
package import PostgresNIO

/// Moving between the two logs (`statusd cluster import` and `export`): a local data directory's
/// states into an empty log on PostgreSQL, and the states of a log on PostgreSQL into a new data
/// directory. Both keep every stream's seq, so the public answers are the same bytes before and after.
package enum ClusterTransfer {
    /// Puts `states` (a local data directory's, recovered) at the start of the empty log at `url`, as
    /// its base (`statusd_base`), with every stream's head at its seq: the next event of each stream
    /// continues its numbering; and the data directory's history archive into the cluster's.
    /// - Throws: `PostgresLogError` for a log that already holds events or a base.
    package static func importStates(
        _ states: RecoveredStates, archive: HistoryArchive, into url: PostgresURL, logger: Logger
    ) async throws {
        var archived: [(OrgID, [[UInt8]])] = []
        for org in try archive.organizations() where states.organizations[org] != nil {
            archived.append((org, try archive.storedBlocks(of: org)))
        }
        let capture = SnapshotCapture(
            replayFrom: LogPosition(1), logEnd: LogPosition(1), directory: states.directory,
            organizations: Array(states.organizations.values))
        let bytes = try SnapshotStore.encode(capture)
        var heads: [(String, Int64)] = capture.organizations.map {
            (PostgresEventLog.name(.organization($0.id)), Int64($0.seq.rawValue))
        }
        heads.append(("directory", Int64(states.directory.seq.rawValue)))
        let streams = heads.filter { $0.1 > 0 }.map(\.0)
        let seqs = heads.filter { $0.1 > 0 }.map(\.1)
        try await withClient(url, logger: logger) { client in
            _ = try await LogSchema.prepare(client, create: true, logger: logger)
            try await client.withTransaction(logger: logger) { connection in
                // The head's lock keeps appenders out while the log is checked empty and filled.
                let head =
                    try await connection.query(
                        "SELECT position FROM statusd_log_head WHERE id FOR UPDATE", logger: logger
                    ).collect().first?.decode(Int64.self) ?? 0
                let held =
                    try await connection.query(
                        """
                        SELECT (SELECT count(*) FROM statusd_base) + (SELECT count(*) FROM statusd_stream_heads)
                        """, logger: logger
                    ).collect().first?.decode(Int64.self) ?? 0
                guard head == 0, held == 0 else {
                    throw PostgresLogError(
                        description:
                            "the log on PostgreSQL is not empty (position \(head)): import into a new database, or one made with `statusd cluster init`"
                    )
                }
                try await connection.query(
                    "INSERT INTO statusd_base (id, position, snapshot) VALUES (true, 0, \(ByteBuffer(bytes: bytes)))",
                    logger: logger)
                try await connection.query(
                    """
                    INSERT INTO statusd_stream_heads (stream, seq) SELECT * FROM unnest(\(streams)::text[], \(seqs)::bigint[])
                    """, logger: logger)
                for (org, blocks) in archived where !blocks.isEmpty {
                    let rows = blocks.map { ByteBuffer(bytes: $0) }
                    try await connection.query(
                        """
                        INSERT INTO statusd_archive (org, number, block) \
                        SELECT \(org.rawValue), n, b FROM unnest(\(rows)::bytea[]) WITH ORDINALITY AS t(b, n)
                        """, logger: logger)
                }
            }
        }
    }

    /// The log at `url`, its schema created when there is none (`statusd cluster init`).
    package static func initialize(_ url: PostgresURL, logger: Logger) async throws -> LogSchema.Identity {
        try await withClient(url, logger: logger) { try await LogSchema.prepare($0, create: true, logger: logger) }
    }

    /// Every stream's state at the head of the log at `url`: the newest shared snapshot (or the base),
    /// then every event after it; and the cluster's history archive copied into `archive`.
    /// - Throws: `LogSchema.Refusal` when the database holds no statusd log.
    package static func exportStates(from url: PostgresURL, archive: HistoryArchive, logger: Logger) async throws
        -> RecoveredStates
    {
        try await withClient(url, logger: logger) { client in
            _ = try await LogSchema.prepare(client, create: false, logger: logger)
            try await SharedArchive(client: client, archive: archive, logger: logger).copyAll()
            let log = PostgresEventLog(
                client: client, writer: try url.connectionConfiguration(connectTimeout: .seconds(2)), node: "export",
                next: LogPosition(1), logger: logger)
            do {
                let (states, _) = try await ClusterNode.recover(
                    from: log, snapshot: try await SharedSnapshots.newest(client, logger: logger), logger: logger)
                await log.shutDown()
                return states
            } catch {
                await log.shutDown()
                throw error
            }
        }
    }

    package static func withClient<Value: Sendable>(
        _ url: PostgresURL, logger: Logger, _ body: (PostgresClient) async throws -> Value
    ) async throws -> Value {
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        let running = Task { await client.run() }
        let value: Value
        do {
            value = try await body(client)
        } catch {
            running.cancel()
            await running.value
            throw error
        }
        running.cancel()
        await running.value
        return value
    }
}
