import AsyncAlgorithms
import Engine
import Logging
import Persistence
import ServiceLifecycle

/// Writes API keys' last use once a minute and once more at shutdown (see `KeyUsage`).
struct KeyUsageWriter: ServiceLifecycle.Service {
    let usage: KeyUsage
    let registry: Registry
    let logger: Logger

    func run() async throws {
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
}
