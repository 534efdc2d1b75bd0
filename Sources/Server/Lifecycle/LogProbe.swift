import AsyncAlgorithms
package import Persistence
import ServiceLifecycle

/// Keeps the log's reachability current while no one writes, so that `/ready` tells a load balancer
/// the truth within about a second of a database going away or coming back. Writes report it too;
/// the probe only contacts the log when they have not lately (`ServedEventLog.probe`).
package struct LogProbe: ServiceLifecycle.Service {
    package let log: any ServedEventLog

    package func run() async throws {
        for await _ in AsyncTimerSequence(interval: .seconds(1), clock: .continuous).cancelOnGracefulShutdown() {
            await log.probe()
        }
    }

    package init(log: any ServedEventLog) {
        self.log = log
    }
}
