package import Logging
import PostgresNIO
import Synchronization

/// The cluster's leader: the node holding the `leader` row of `statusd_leases` (schema version 2), which
/// runs the work that must run once (maintenance auto-start and auto-complete, the archive pass,
/// removing expired sessions). A lease rather than an advisory lock on a session: a paused node's
/// connection stays open (its kernel still answers TCP), so a session lock would stay held for as long
/// as the pause; a lease ends on the database's clock whatever the holder does.
///
/// The holder renews every `renewEvery` (statusd's `ClusterBookkeeping`); another node takes the row once
/// `until` has passed. A node
/// counts itself leader only until `term - margin` after the start of its last successful renewal (on
/// its own monotonic clock, which runs on while it is paused), so a leader resumed after a pause stops
/// leading before it could act, and finds out on its next renewal whether it still holds the row. What
/// it might still do twice is an ordinary command under the optimistic check: a maintenance window
/// already started is not started again.
package final class LeaderLease: Sendable {
    package static let term = Duration.seconds(10)
    package static let renewEvery = Duration.seconds(2)
    static let margin = Duration.seconds(2)

    private let connection: BoundedConnection
    private let node: String
    private let logger: Logger
    /// Until when this node leads, on its monotonic clock; nil when it does not.
    private let leadsUntil = Mutex<ContinuousClock.Instant?>(nil)

    /// - Parameter connection: the node's bookkeeping connection: every call bounded in time, so that a
    ///   connection cut in a transaction cannot hold the renewal (or the shutdown) forever.
    package init(connection: BoundedConnection, node: String, logger: Logger) {
        self.connection = connection
        self.node = node
        self.logger = logger
    }

    /// Whether this node leads now.
    package var leads: Bool { leadsUntil.withLock { $0.map { ContinuousClock.now < $0 } ?? false } }

    /// Takes the lease if it is free or expired, or renews it if this node holds it.
    package func renew() async {
        let started = ContinuousClock.now
        let was = leads
        do {
            let seconds = Int(Self.term.components.seconds)
            let (node, logger) = (self.node, self.logger)
            let held = try await connection.transaction(timeout: Self.renewEvery) { connection in
                try await connection.query(
                    """
                    INSERT INTO statusd_leases (name, node, until) VALUES ('leader', \(node), now() + make_interval(secs => \(seconds))) \
                    ON CONFLICT (name) DO UPDATE SET node = excluded.node, until = excluded.until \
                    WHERE statusd_leases.node = excluded.node OR statusd_leases.until < now() \
                    RETURNING node
                    """, logger: logger
                ).collect().count == 1
            }
            leadsUntil.withLock { $0 = held ? started + Self.term - Self.margin : nil }
            if held != was {
                logger.notice(
                    held ? "this node now leads the cluster (timers, archive)" : "this node no longer leads the cluster"
                )
            }
        } catch {
            // Its own lease runs out by itself (leadsUntil); nothing to undo.
            logger.debug("renewing the leader lease failed: \(PostgresEventLog.sentence(error))")
        }
    }

    /// Gives the lease up (shutting down), so another node takes it at its next renewal.
    package func release() async {
        guard leads else { return }
        leadsUntil.withLock { $0 = nil }
        let (node, logger) = (self.node, self.logger)
        _ = try? await connection.transaction(timeout: Self.renewEvery) { connection in
            try await connection.query(
                "DELETE FROM statusd_leases WHERE name = 'leader' AND node = \(node)", logger: logger)
        }
    }
}
