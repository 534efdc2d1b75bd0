package import Logging
package import PostgresNIO

/// A node's row in `statusd_nodes` (schema version 2), renewed every 2 s, removed when the node stops:
/// what `statusd cluster status` prints. statusd's `ClusterBookkeeping` writes it in the same round as
/// it renews the leader lease (`LeaderLease`).
package struct ClusterPresence: Sendable {
    /// What a node says of itself.
    package struct Report: Sendable {
        package let address: String
        package let version: String
        package let epoch: String
        /// The position of the last event it applied.
        package let position: UInt64
        package let lagSeconds: Double
        package let leader: Bool

        package init(
            address: String, version: String, epoch: String, position: UInt64, lagSeconds: Double, leader: Bool
        ) {
            self.address = address
            self.version = version
            self.epoch = epoch
            self.position = position
            self.lagSeconds = lagSeconds
            self.leader = leader
        }
    }

    /// A row as `statusd cluster status` reads it.
    package struct Seen: Sendable {
        package let node: String
        package let report: Report
        package let secondsAgo: Double
    }

    /// The node's bookkeeping connection (every call bounded in time).
    package let connection: BoundedConnection
    package let node: String
    package let logger: Logger

    package init(connection: BoundedConnection, node: String, logger: Logger) {
        self.connection = connection
        self.node = node
        self.logger = logger
    }

    /// Writes this node's row; the leader also removes rows not renewed for an hour.
    package func report(_ report: Report) async throws {
        let (node, logger) = (self.node, self.logger)
        _ = try await connection.transaction(timeout: .seconds(2)) { connection in
            try await connection.query(
                """
                INSERT INTO statusd_nodes (node, address, version, epoch, position, lag_seconds, leader, seen_at) \
                VALUES (\(node), \(report.address), \(report.version), \(report.epoch), \(Int64(report.position)), \
                \(report.lagSeconds), \(report.leader), now()) \
                ON CONFLICT (node) DO UPDATE SET address = excluded.address, version = excluded.version, \
                epoch = excluded.epoch, position = excluded.position, lag_seconds = excluded.lag_seconds, \
                leader = excluded.leader, seen_at = excluded.seen_at
                """, logger: logger)
            if report.leader {
                try await connection.query(
                    "DELETE FROM statusd_nodes WHERE seen_at < now() - interval '1 hour'", logger: logger)
            }
        }
    }

    /// Removes this node's row (it stops).
    package func leave() async {
        let (node, logger) = (self.node, self.logger)
        _ = try? await connection.transaction(timeout: .seconds(2)) { connection in
            try await connection.query("DELETE FROM statusd_nodes WHERE node = \(node)", logger: logger)
        }
    }

    /// Every node's row, the most recently seen first.
    package static func seen(_ client: PostgresClient, logger: Logger) async throws -> [Seen] {
        let rows = try await client.query(
            """
            SELECT node, address, version, epoch, position, lag_seconds, leader, \
            extract(epoch FROM now() - seen_at)::double precision FROM statusd_nodes ORDER BY seen_at DESC, node
            """, logger: logger)
        var seen: [Seen] = []
        for try await (node, address, version, epoch, position, lag, leader, ago) in rows.decode(
            (String, String, String, String, Int64, Double, Bool, Double).self)
        {
            seen.append(
                Seen(
                    node: node,
                    report: Report(
                        address: address, version: version, epoch: epoch, position: UInt64(max(position, 0)),
                        lagSeconds: lag, leader: leader), secondsAgo: ago))
        }
        return seen
    }
}
