package import Logging
package import PostgresLog
import ServiceLifecycle

/// A cluster node's round of bookkeeping every 2 s (cluster mode): it renews its claim on the leader
/// lease (unless `--no-cluster-leader`) and reports itself in `statusd_nodes` for `statusd cluster
/// status`. At shutdown it gives the lease up, so that another node leads at its next round instead of
/// after the lease's term, and removes its row.
package struct ClusterBookkeeping: Service {
    let lease: LeaderLease?
    let presence: ClusterPresence
    /// What the node says of itself now; nil until its HTTP server listens (its address is not known).
    let report: @Sendable () -> ClusterPresence.Report?
    let logger: Logger

    package init(
        lease: LeaderLease?, presence: ClusterPresence, report: @escaping @Sendable () -> ClusterPresence.Report?,
        logger: Logger
    ) {
        self.lease = lease
        self.presence = presence
        self.report = report
        self.logger = logger
    }

    package func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await lease?.renew()
                do {
                    if let now = report() { try await presence.report(now) }
                } catch {
                    logger.debug("reporting this node in statusd_nodes failed: \(PostgresEventLog.sentence(error))")
                }
                try? await Task.sleep(for: LeaderLease.renewEvery)
            }
        }
        // In a task of its own: this one is cancelled, and a cancelled task's queries are not sent.
        let (held, row) = (lease, presence)
        await Task {
            await held?.release()
            await row.leave()
        }.value
    }
}
