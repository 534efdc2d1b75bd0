import AsyncAlgorithms
import CPlatform
package import Engine
import Foundation
package import Logging
package import Persistence
import ServiceLifecycle

/// Moves maintenance windows at their `scheduled_start` and `scheduled_end` (auto start/complete).
/// Once a second it asks the registry for due windows; each org's next deadline is a field of its
/// view, so an idle tick reads one field per organization and writes nothing. Once an hour it folds
/// status history that left the raw window into daily totals, forgets subscribers whose time is up,
/// moves closed incidents and maintenance that left it to the history archive, and removes expired
/// sessions.
///
/// In a cluster only the leader runs it (`leads`), and the archive pass stores its blocks where every
/// node copies them from (`sharing`) before the items leave memory.
package struct MaintenanceTimer: ServiceLifecycle.Service {
    package let registry: Registry
    package let directory: Directory
    package let archive: HistoryArchive
    /// Whether this process leads its cluster now; always, on the WAL.
    package let leads: @Sendable () -> Bool
    package let sharing: HistoryArchive.Sharing?
    package let logger: Logger

    package func run() async throws {
        var lastCompaction = ContinuousClock.now - .seconds(3_600)
        for await _ in AsyncTimerSequence(interval: .seconds(1), clock: .continuous).cancelOnGracefulShutdown() {
            guard leads() else { continue }
            let changed = await registry.advanceDueMaintenance(now: WallClock.now())
            if changed > 0 { logger.info("maintenance windows moved", metadata: ["organizations": "\(changed)"]) }
            if ContinuousClock.now - lastCompaction >= .seconds(3_600) {
                lastCompaction = .now
                let compacted = await registry.compactDueHistory(now: WallClock.now())
                if compacted > 0 {
                    logger.info("status history folded into daily totals", metadata: ["organizations": "\(compacted)"])
                }
                let purged = await registry.purgeDueSubscribers(now: WallClock.now())
                if purged > 0 {
                    logger.info(
                        "expired and long-quarantined subscribers removed", metadata: ["organizations": "\(purged)"])
                }
                let archived = await archive.archiveDue(in: registry, now: WallClock.now(), sharing: sharing)
                if archived > 0 {
                    logger.info("closed incidents and maintenance archived", metadata: ["organizations": "\(archived)"])
                }
                cplatform_release_free_memory()  // the pass freed old history: hand the pages back
            }
        }
    }

    package init(
        registry: Registry, directory: Directory, archive: HistoryArchive,
        leads: @escaping @Sendable () -> Bool = { true },
        sharing: HistoryArchive.Sharing? = nil, logger: Logger
    ) {
        self.registry = registry
        self.directory = directory
        self.archive = archive
        self.leads = leads
        self.sharing = sharing
        self.logger = logger
    }
}
