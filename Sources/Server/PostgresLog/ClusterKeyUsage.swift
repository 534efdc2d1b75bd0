package import Engine
package import Foundation
package import Logging
package import PostgresNIO

/// API keys' last use shared by the nodes of a cluster (`statusd_key_usage`, schema version 3): a
/// key used on one node shows its last use on every node within a minute.
package struct ClusterKeyUsage: Sendable {
    package let client: PostgresClient
    package let logger: Logger

    package init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Adds `times` (the later of two wins) and returns every key's latest, in one statement.
    package func share(_ times: [KeyID: Date]) async throws -> [KeyID: Date] {
        let keys = times.keys.map(\.rawValue)
        let seconds = times.values.map(\.timeIntervalSince1970)
        let (client, logger) = (self.client, self.logger)
        // Bounded: a node stopping shares its times last, and must not wait on a lost server.
        let rows = try await BoundedConnection.race(timeout: .seconds(5)) {
            try await client.query(
                """
                WITH added AS (INSERT INTO statusd_key_usage (key, last_used) \
                    SELECT k, to_timestamp(s) FROM unnest(\(keys)::text[], \(seconds)::float8[]) AS t(k, s) \
                    ON CONFLICT (key) DO UPDATE SET last_used = greatest(statusd_key_usage.last_used, excluded.last_used) \
                    RETURNING key, last_used) \
                SELECT key, extract(epoch FROM last_used)::float8 FROM added \
                UNION ALL SELECT key, extract(epoch FROM last_used)::float8 FROM statusd_key_usage \
                    WHERE key NOT IN (SELECT key FROM added)
                """, logger: logger
            ).collect()
        }
        var latest: [KeyID: Date] = [:]
        for row in rows {
            let (key, seconds) = try row.decode((String, Double).self)
            if let id = KeyID(key) { latest[id] = Date(timeIntervalSince1970: seconds) }
        }
        return latest
    }

    /// Removes the times of keys that no longer exist (the leader's round, from states caught up), once
    /// unused for ten minutes: a key made on another node a moment ago may not be in `existing` yet.
    /// - Returns: how many were removed.
    package func forget(keysOtherThan existing: Set<KeyID>) async throws -> Int {
        let keys = existing.map(\.rawValue)
        let rows = try await client.query(
            """
            WITH gone AS (DELETE FROM statusd_key_usage WHERE NOT (key = ANY(\(keys)::text[])) \
                AND last_used < now() - interval '10 minutes' RETURNING 1) \
            SELECT count(*) FROM gone
            """, logger: logger
        ).collect()
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }
}
