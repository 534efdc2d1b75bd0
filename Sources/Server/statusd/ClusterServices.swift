import Engine
import Foundation
import Lifecycle
import Live
import Logging
import Persistence
import PostgresLog
import ServiceLifecycle
import Wire

/// What cluster mode adds to a node, put together in one place: the cluster's history archive (copied
/// here before serving), the leader lease, the names organizations claim, the snapshots the leader
/// shares, and the services that follow the log and keep the node's bookkeeping (docs/CLUSTER.md).
struct ClusterServices: Sendable {
    let node: ClusterNode
    /// The cluster's bookkeeping (lease, the node's report, archive blocks, shared snapshots) on a
    /// connection of its own whose every call is bounded in time.
    let bookkeeping: BoundedConnection
    let archive: SharedArchive
    /// Nil with `--no-cluster-leader`.
    let lease: LeaderLease?
    let names: ClusterNames
    let logger: Logger

    /// Copies the cluster's archive blocks this node lacks into `archive` before anything serves.
    static func open(node: ClusterNode, archive: HistoryArchive, mayLead: Bool, logger: Logger) async throws
        -> ClusterServices
    {
        let bookkeeping = BoundedConnection(configuration: node.connection, logger: logger)
        let shared = SharedArchive(client: node.client, writer: bookkeeping, archive: archive, logger: logger)
        do {
            try await shared.copyAll()
        } catch {
            await bookkeeping.close()
            throw error
        }
        return ClusterServices(
            node: node, bookkeeping: bookkeeping, archive: shared,
            lease: mayLead ? LeaderLease(connection: bookkeeping, node: node.log.node, logger: logger) : nil,
            names: ClusterNames(client: node.client, logger: logger), logger: logger)
    }

    /// Whether this node leads now: the work that runs once per cluster runs here.
    var leads: Bool { lease?.leads ?? false }

    /// The session-signing key every node shares, when the configuration names none.
    func sessionKey() async throws -> [UInt8] {
        try await LogSchema.sharedSecret(named: "session", node.client, logger: logger)
    }

    /// The leader's archive pass stores an organization's new blocks in the cluster's archive.
    var archiveSharing: HistoryArchive.Sharing {
        { [archive] org, blocks in try await archive.store(org, blocks) }
    }

    /// API keys' last use, shared with the other nodes.
    var keyUsageSharing: KeyUsageWriter.Sharing {
        let shared = ClusterKeyUsage(client: node.client, logger: logger)
        return { try await shared.share($0) }
    }

    /// Where the leader records how far it got telling subscribers: shared, so a new leader goes on
    /// where the last one stopped.
    var deliveryJournal: ClusterDeliveryJournal { ClusterDeliveryJournal(client: node.client, logger: logger) }

    /// Hands each snapshot this node takes to `shareSnapshot`.
    var snapshotSharing: @Sendable (SnapshotCapture, [UInt8]) async throws -> Void {
        { try await self.shareSnapshot($0, bytes: $1) }
    }

    /// Stores a snapshot this node took as the cluster's newest, when it leads, and removes the events
    /// the older kept one holds.
    func shareSnapshot(_ capture: SnapshotCapture, bytes: [UInt8]) async throws {
        guard leads else { return }
        let stored = try await SharedSnapshots(client: node.client, logger: logger).store(
            bytes, replayFrom: capture.replayFrom, node: node.log.node, writer: bookkeeping)
        logger.info(
            "shared snapshot stored",
            metadata: [
                "replay_from": "\(capture.replayFrom)", "bytes": "\(stored.bytes)",
                "events_removed": "\(stored.pruned)", "pruned_before": "\(stored.prunedBefore)",
            ])
    }

    /// The node's follower of the log, its bookkeeping round and the leader's upkeep.
    func services(
        registry: Registry, directory: Directory, hub: LiveHub, admission: LiveAdmission,
        listening: ListeningAddress, readyLagLimit: Double, liveLagLimit: Double
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let (lag, epoch, lease, logger) = (node.log.following, node.identity.epoch, self.lease, self.logger)
        return [
            .init(
                service: LogFollowing(
                    follower: LogFollower(
                        log: node.log, listener: node.connection, epoch: epoch, registry: registry,
                        directory: directory, archive: archive, logger: logger),
                    lag: lag, hub: hub, admission: admission, readyLagLimit: readyLagLimit,
                    liveLagLimit: liveLagLimit, logger: logger)),
            .init(
                service: ClusterBookkeeping(
                    lease: lease,
                    presence: ClusterPresence(connection: bookkeeping, node: node.log.node, logger: logger),
                    report: {
                        guard let address = listening.address else { return nil }
                        let report = lag.report()
                        return ClusterPresence.Report(
                            address: address, version: StatusdVersion.current, epoch: epoch,
                            position: max(report.cursor, 1) - 1, lagSeconds: report.seconds,
                            leader: lease?.leads ?? false)
                    }, logger: logger)),
            .init(
                service: ClusterUpkeep(
                    names: names, keyUsage: ClusterKeyUsage(client: node.client, logger: logger), registry: registry,
                    lag: lag, leads: { self.leads }, caughtUpWithin: readyLagLimit,
                    logger: logger)),
        ]
    }

    /// After the services ended: the bookkeeping connection, before the storage closes the log's.
    func close() async {
        await bookkeeping.close()
    }
}
