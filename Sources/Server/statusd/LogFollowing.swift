import PostgresLog
import ServiceLifecycle

/// Runs the node's follower of the log on PostgreSQL (cluster mode) until the service group shuts down.
struct LogFollowing: Service {
    let follower: LogFollower

    func run() async {
        await cancelWhenGracefulShutdown { await follower.run() }
    }
}
