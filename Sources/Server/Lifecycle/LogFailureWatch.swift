import AsyncAlgorithms
import Logging
import Persistence
import ServiceLifecycle

/// Stops statusd when its event log fails (STYLE P8, as etcd and Redis do): from then on every write
/// answers 503 and nothing more can be made durable, so the process drains what is in flight and exits
/// non-zero for its supervisor to see, rather than limp on. Returning from `run` is what shuts the
/// service group down gracefully.
struct LogFailureWatch: ServiceLifecycle.Service {
    let log: FileEventLog
    let logger: Logger

    func run() async throws {
        for await _ in AsyncTimerSequence(interval: .milliseconds(200), clock: .continuous).cancelOnGracefulShutdown() {
            if let failure = log.failure {
                logger.critical("the event log failed; draining requests and shutting down: \(failure)")
                return
            }
        }
    }
}
