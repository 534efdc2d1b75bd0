import AsyncAlgorithms
package import Engine
package import Foundation
package import Logging
package import Persistence
import ServiceLifecycle
import Synchronization

/// Takes snapshots every `everyEvents` events or every `interval` when anything changed, without
/// stopping writes: the states are copied from the published views, and compression, the file
/// writes, pruning and WAL trimming (the shared log keeps its events) run on a dedicated thread. The final
/// snapshot at shutdown is taken by `Serve` once HTTP has drained.
package struct Snapshotter: ServiceLifecycle.Service {
    package let registry: Registry
    package let status: SnapshotStatus
    package let directory: Directory
    package let log: any ServedEventLog
    package let store: SnapshotStore
    package let interval: Duration
    package let everyEvents: Int
    package let logger: Logger
    /// Hands each snapshot written, with its file's bytes, to the cluster (the leader shares it); nil
    /// outside cluster mode.
    package let sharing: (@Sendable (SnapshotCapture, [UInt8]) async throws -> Void)?
    /// The timer, an operator's request and shutdown may ask at once; snapshots are taken one at a time.
    package let turns = SnapshotTurns()

    package func run() async throws {
        // Events counted by how far the states moved in the log, not by this process's own appends: in
        // cluster mode most events a node applies (the leader included) were written by others.
        var lastRecords = log.appendPosition.rawValue
        var lastTime = ContinuousClock.now
        for await _ in AsyncTimerSequence(interval: .seconds(1), clock: .continuous).cancelOnGracefulShutdown() {
            let records = log.appendPosition.rawValue
            let due =
                records - lastRecords >= UInt64(everyEvents)
                || (records > lastRecords && ContinuousClock.now - lastTime >= interval)
            guard due else { continue }
            do {
                try await take()
                lastRecords = records
                lastTime = .now
            } catch {
                // A failed snapshot loses nothing (the WAL still has every record); try again later.
                logger.error("snapshot failed: \(error)")
                lastTime = .now
            }
        }
    }

    /// Captures, writes, prunes to the two newest, and trims the WAL behind the older; after the
    /// snapshot under way, if any.
    @discardableResult
    package func take() async throws -> SnapshotStatus.Last {
        try await turns.next { try await takeNow() }
    }

    private func takeNow() async throws -> SnapshotStatus.Last {
        let capture = registry.capture(log: log, directory: directory)
        let (store, log, logger, status) = (self.store, self.log, self.logger, self.status)
        let last = try await onDedicatedThread {
            let start = ContinuousClock.now
            let written = try store.write(capture)
            let last = status.record(written, capture: capture)
            let trimmed = try store.prune().map { try log.trim(before: $0) } ?? 0
            logger.info(
                "snapshot written",
                metadata: [
                    "file": "\(written.path)", "bytes": "\(written.bytes)", "raw_bytes": "\(written.rawBytes)",
                    "organizations": "\(capture.organizations.count)",
                    "replay_from": "\(capture.replayFrom)", "wal_segments_deleted": "\(trimmed)",
                    "seconds": "\(ContinuousClock.now - start)",
                ])
            return last
        }
        if let sharing {
            do {
                let bytes = try await onDedicatedThread { try Array(Data(contentsOf: URL(fileURLWithPath: last.file))) }
                try await sharing(capture, bytes)
            } catch {
                // The node's own snapshot is written; the cluster keeps its older shared one.
                logger.error("sharing the snapshot with the cluster failed: \(error)")
            }
        }
        return last
    }

    package init(
        registry: Registry, status: SnapshotStatus, directory: Directory, log: any ServedEventLog, store: SnapshotStore,
        interval: Duration, everyEvents: Int, logger: Logger,
        sharing: (@Sendable (SnapshotCapture, [UInt8]) async throws -> Void)? = nil
    ) {
        self.registry = registry
        self.status = status
        self.directory = directory
        self.log = log
        self.store = store
        self.interval = interval
        self.everyEvents = everyEvents
        self.logger = logger
        self.sharing = sharing
    }
}

/// Runs work one piece at a time, in the order asked.
package actor SnapshotTurns {
    private var last: Task<Void, Never>?

    package func next<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let previous = last
        let task = Task {
            await previous?.value
            return try await work()
        }
        last = Task { _ = await task.result }
        return try await task.value
    }
}

/// The last snapshot this process wrote, for `/health`.
package final class SnapshotStatus: Sendable {
    package init() {}

    package struct Last: Encodable, Sendable {
        package let file: String
        package let bytes: Int
        package let replayFrom: UInt64
        package let organizations: Int
        package let at: Date
    }

    private let state = Mutex<Last?>(nil)

    package var last: Last? { state.withLock { $0 } }

    package func record(_ written: SnapshotStore.Written, capture: SnapshotCapture) -> Last {
        let last = Last(
            file: written.path, bytes: written.bytes, replayFrom: capture.replayFrom.rawValue,
            organizations: capture.organizations.count, at: WallClock.now())
        state.withLock { $0 = last }
        return last
    }
}
