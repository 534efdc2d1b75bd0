package import Engine
package import Logging
package import PostgresNIO

/// The names organizations claim across the nodes of a cluster (`statusd_names`, schema version 3):
/// the `Registry` claims a slug or custom domain here before appending the event that takes it, so
/// two organizations written on two nodes at once cannot both take one (each is its own stream, and
/// the log checks streams one by one).
package struct ClusterNames: NameClaims {
    package let client: PostgresClient
    package let logger: Logger

    /// A claim no organization holds is removed once it is this old: longer than any append waits.
    package static let staleAfterSeconds = 300
    /// How long a write waits for its claim, or its give-back: then the log counts as unreachable.
    static let timeout = Duration.seconds(5)

    package init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    package func claim(_ names: Set<OrgName>, for org: OrgID) async throws {
        let (kinds, values) = Self.columns(names)
        var claimed: Set<OrgName> = []
        var taken: OrgName?
        do {
            // One statement, all or none: nothing is inserted when another organization holds one of
            // the names; two nodes inserting one new name at once meet on its key, and the second's
            // row comes back missing (its `DO UPDATE` only renews a claim of the same organization).
            let (client, logger) = (self.client, self.logger)
            let rows = try await BoundedConnection.race(timeout: Self.timeout) {
                try await client.query(
                    """
                    WITH wanted AS (SELECT * FROM unnest(\(kinds)::text[], \(values)::text[]) AS w(kind, name)), \
                    taken AS (SELECT n.kind, n.name FROM statusd_names n JOIN wanted w USING (kind, name) \
                        WHERE n.org <> \(org.rawValue)), \
                    claimed AS (INSERT INTO statusd_names (kind, name, org) \
                        SELECT kind, name, \(org.rawValue) FROM wanted WHERE NOT EXISTS (SELECT 1 FROM taken) \
                        ON CONFLICT (kind, name) DO UPDATE SET claimed_at = now() \
                        WHERE statusd_names.org = excluded.org RETURNING kind, name) \
                    SELECT true, kind, name FROM claimed UNION ALL SELECT false, kind, name FROM taken
                    """, logger: logger
                ).collect()
            }
            for row in rows {
                let (ours, kind, name) = try row.decode((Bool, String, String).self)
                guard let kind = OrgName.Kind(rawValue: kind) else { continue }
                if ours { claimed.insert(OrgName(kind, name)) } else { taken = OrgName(kind, name) }
            }
        } catch {
            throw AppendRefused(
                .unavailable, "the cluster's names cannot be claimed: \(PostgresEventLog.sentence(error))")
        }
        if taken == nil, claimed != names { taken = names.subtracting(claimed).first }
        guard let taken else { return }
        // Claimed at the same moment by another organization: what this call did claim goes back.
        if !claimed.isEmpty { await release(claimed, of: org) }
        throw EngineError(.conflict, field: taken.kind == .slug ? "slug" : "custom_domain", "'\(taken.name)' is taken")
    }

    package func release(_ names: Set<OrgName>, of org: OrgID) async {
        let (kinds, values) = Self.columns(names)
        let (client, logger) = (self.client, self.logger)
        do {
            _ = try await BoundedConnection.race(timeout: Self.timeout) {
                try await client.query(
                    """
                    DELETE FROM statusd_names n USING unnest(\(kinds)::text[], \(values)::text[]) AS w(kind, name) \
                    WHERE n.kind = w.kind AND n.name = w.name AND n.org = \(org.rawValue)
                    """, logger: logger)
            }
        } catch {
            logger.warning(
                "could not give back \(names.map(\.description).sorted().joined(separator: ", ")) of \(org) (the leader removes the claim later): \(PostgresEventLog.sentence(error))"
            )
        }
    }

    /// The leader's pass, on states that have caught up with the log: claims the names organizations
    /// hold without one (a log from before schema version 3, or a claim lost with its node), and
    /// removes claims older than `staleAfterSeconds` that no organization holds.
    /// - Returns: how many claims were added and removed.
    package func reconcile(held: [OrgID: Set<OrgName>]) async throws -> (added: Int, removed: Int) {
        var kinds: [String] = []
        var values: [String] = []
        var orgs: [String] = []
        for (org, names) in held {
            for name in names {
                kinds.append(name.kind.rawValue)
                values.append(name.name)
                orgs.append(org.rawValue)
            }
        }
        let rows = try await client.query(
            """
            WITH held AS (SELECT * FROM unnest(\(kinds)::text[], \(values)::text[], \(orgs)::text[]) AS h(kind, name, org)), \
            added AS (INSERT INTO statusd_names (kind, name, org) SELECT kind, name, org FROM held \
                ON CONFLICT (kind, name) DO NOTHING RETURNING 1), \
            removed AS (DELETE FROM statusd_names n \
                WHERE n.claimed_at < now() - make_interval(secs => \(Self.staleAfterSeconds)) \
                AND NOT EXISTS (SELECT 1 FROM held h WHERE h.kind = n.kind AND h.name = n.name AND h.org = n.org) \
                RETURNING 1) \
            SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM removed)
            """, logger: logger
        ).collect()
        guard let row = rows.first else { return (0, 0) }
        let (added, removed) = try row.decode((Int64, Int64).self)
        return (Int(added), Int(removed))
    }

    private static func columns(_ names: Set<OrgName>) -> (kinds: [String], values: [String]) {
        let sorted = names.sorted { ($0.kind.rawValue, $0.name) < ($1.kind.rawValue, $1.name) }
        return (sorted.map(\.kind.rawValue), sorted.map(\.name))
    }
}
