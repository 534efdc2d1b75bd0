import AsyncAlgorithms
package import Live
package import Logging
package import Persistence
package import PostgresLog
import ServiceLifecycle

/// Runs the node's follower of the log on PostgreSQL (cluster mode) until the service group shuts down,
/// and watches how far the node trails: past `liveLagLimit` its live connections are closed with
/// "reconnect elsewhere" (the load balancer sends them to a node that keeps up) and new ones refused,
/// until the node is within `readyLagLimit` again (the same limit `/ready` drains it at).
///
/// A follower that finds the log replaced (restored from a backup) ends the service with its reason:
/// the process stops, and its supervisor's restart reloads the node from the log (`ClusterNode.open`).
package struct LogFollowing: Service {
    let follower: LogFollower
    let lag: FollowLag
    let hub: LiveHub
    let admission: LiveAdmission
    let readyLagLimit: Double
    let liveLagLimit: Double
    let logger: Logger

    package init(
        follower: LogFollower, lag: FollowLag, hub: LiveHub, admission: LiveAdmission, readyLagLimit: Double,
        liveLagLimit: Double, logger: Logger
    ) {
        self.follower = follower
        self.lag = lag
        self.hub = hub
        self.admission = admission
        self.readyLagLimit = readyLagLimit
        self.liveLagLimit = liveLagLimit
        self.logger = logger
    }

    package func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await follower.run() }
                group.addTask { await watch() }
                defer { group.cancelAll() }
                try await group.next()
            }
        }
    }

    private func watch() async {
        for await _ in AsyncTimerSequence(interval: .seconds(1), clock: .continuous) {
            let seconds = lag.report().seconds
            if !admission.behind, seconds > liveLagLimit {
                admission.behind = true
                hub.closeAll()
                logger.warning(
                    "this node is \(Int(seconds)) s behind the event log: live connections closed (1013, reconnect elsewhere) and refused until it catches up"
                )
            } else if admission.behind, seconds <= readyLagLimit {
                admission.behind = false
                logger.notice("this node caught up with the event log: live connections are taken again")
            }
        }
    }
}
