import PostgresLog
import ServiceLifecycle

/// Keeps the node's claim on the cluster's leader lease (cluster mode) until the service group shuts
/// down, then gives it up so that another node leads at its next renewal instead of after the term.
struct LeaderElection: Service {
    let lease: LeaderLease

    func run() async {
        await cancelWhenGracefulShutdown { await lease.run() }
    }
}
