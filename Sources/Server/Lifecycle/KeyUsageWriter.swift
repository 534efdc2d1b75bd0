import AsyncAlgorithms
package import Auth
package import Engine
package import Logging
import Persistence
import ServiceLifecycle

/// Writes API keys' last use once a minute and once more at shutdown (see `KeyUsage`).
package struct KeyUsageWriter: ServiceLifecycle.Service {
    package let usage: KeyUsage
    package let registry: Registry
    package let logger: Logger

    package func run() async throws {
        for await _ in AsyncTimerSequence(interval: .seconds(60), clock: .continuous).cancelOnGracefulShutdown() {
            await write()
        }
        await write()
    }

    private func write() async {
        let usage = usage
        let registry = registry
        do {
            try await onDedicatedThread { try usage.persist { registry.organization(key: $0) != nil } }
        } catch {
            logger.error("API key last-use times not written (they stay in memory): \(error)")
        }
    }

    package init(usage: KeyUsage, registry: Registry, logger: Logger) {
        self.usage = usage
        self.registry = registry
        self.logger = logger
    }
}
