import AsyncAlgorithms
package import Logging
package import Persistence
import ServiceLifecycle

/// Stops statusd when its event log fails (as etcd and Redis do): from then on every write
/// answers 503 and nothing more can be made durable, so the process drains what is in flight and exits
/// non-zero for its supervisor to see, rather than limp on. Returning from `run` is what shuts the
/// service group down gracefully. A shared log (PostgreSQL) never fails for good: it is unreachable
/// for a while, which `/ready` reports, and the process stays up through a database failover.
package struct LogFailureWatch: ServiceLifecycle.Service {
    package let log: any ServedEventLog
    package let logger: Logger

    package func run() async throws {
        for await _ in AsyncTimerSequence(interval: .milliseconds(200), clock: .continuous).cancelOnGracefulShutdown() {
            if let failure = log.report.failure {
                logger.critical("the event log failed; draining requests and shutting down: \(failure)")
                return
            }
        }
    }

    package init(log: any ServedEventLog, logger: Logger) {
        self.log = log
        self.logger = logger
    }
}
