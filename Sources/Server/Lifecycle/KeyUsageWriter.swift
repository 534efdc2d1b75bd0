import AsyncAlgorithms
package import Auth
package import Engine
package import Foundation
package import Logging
import Persistence
import ServiceLifecycle

/// Writes API keys' last use once a minute and once more at shutdown (see `KeyUsage`); in cluster
/// mode, shares them with the other nodes first (at start too, so that a node starting answers what
/// the others saw).
package struct KeyUsageWriter: ServiceLifecycle.Service {
    /// Hands the times of keys used here to the cluster and returns every node's latest.
    package typealias Sharing = @Sendable ([KeyID: Date]) async throws -> [KeyID: Date]

    package let usage: KeyUsage
    package let registry: Registry
    package let sharing: Sharing?
    package let logger: Logger

    package func run() async throws {
        await share()
        for await _ in AsyncTimerSequence(interval: .seconds(60), clock: .continuous).cancelOnGracefulShutdown() {
            await share()
            await write()
        }
        // In a task of its own: this one is cancelled, and a cancelled task's queries are not sent.
        await Task { await share() }.value
        await write()
    }

    private func share() async {
        guard let sharing else { return }
        let mine = usage.takeUnshared()
        do {
            usage.merge(try await sharing(mine))
        } catch {
            // Shared in the next round, with whatever later use they have by then.
            usage.markUnshared(mine.keys)
            logger.warning("sharing API key last-use times with the cluster failed (tried again in a minute): \(error)")
        }
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

    package init(usage: KeyUsage, registry: Registry, sharing: Sharing? = nil, logger: Logger) {
        self.usage = usage
        self.registry = registry
        self.sharing = sharing
        self.logger = logger
    }
}
