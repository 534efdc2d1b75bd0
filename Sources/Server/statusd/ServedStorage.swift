import Engine
import Foundation
import Logging
import Persistence
import PostgresLog
import Wire

/// Where `statusd serve` keeps its events: the WAL in the data directory (the default), or, when the
/// secret setting `postgres-url` is given, the log on PostgreSQL (cluster mode). Either way the data
/// directory holds the process's lock, its snapshots, the history archive and keys.
struct ServedStorage {
    let dataDirectory: DataDirectory
    let log: any ServedEventLog
    let states: RecoveredStates
    let snapshots: SnapshotStore
    /// Set in cluster mode.
    let cluster: ClusterNode?

    static func open(
        dataDir: String, configuration: WALConfiguration, postgresURL: String?, logger: Logger
    ) async throws -> ServedStorage {
        guard let postgresURL else {
            let (dataDirectory, log, states) = try await onDedicatedThread {
                try Storage.open(dataDir, configuration: configuration, logger: logger)
            }
            logger.info(
                "recovered \(states.organizations.count) organizations: \(states.records) events replayed, \(states.skipped) already in the snapshot",
                metadata: ["data_dir": "\(dataDirectory.path)", "fsync": "\(configuration.fsync)"])
            return ServedStorage(
                dataDirectory: dataDirectory, log: log, states: states,
                snapshots: SnapshotStore(dataDirectory: dataDirectory), cluster: nil)
        }
        let url: PostgresURL
        do {
            url = try PostgresURL(postgresURL)
        } catch let invalid as PostgresURL.Invalid {
            throw OperationFailure(invalid.description)
        }
        let dataDirectory = try DataDirectory.open(dataDir)
        do {
            let (node, states) = try await ClusterNode.open(
                url: url, dataDirectory: dataDirectory, node: nodeName(dataDirectory), logger: logger)
            logger.info(
                "recovered \(states.organizations.count) organizations from the log on PostgreSQL: \(states.records) events applied, \(states.skipped) already in the snapshot",
                metadata: [
                    "data_dir": "\(dataDirectory.path)", "epoch": "\(node.identity.epoch)",
                    "position": "\(node.log.appendPosition)",
                ])
            return ServedStorage(
                dataDirectory: dataDirectory, log: node.log, states: states, snapshots: node.snapshots, cluster: node)
        } catch {
            dataDirectory.close()
            throw OperationFailure("cannot start on the log on PostgreSQL: \(PostgresEventLog.sentence(error))")
        }
    }

    /// The node in the events it writes, the lease and `statusd_nodes`: its host and data directory,
    /// which one process at a time holds (the directory's lock). The same across restarts, so that a
    /// node killed and started again takes its own row (and lease, while it is unexpired) back rather
    /// than leaving a dead one that holds back the removal of old events for minutes.
    private static func nodeName(_ dataDirectory: DataDirectory) -> String {
        "\(ProcessInfo.processInfo.hostName):\(dataDirectory.path)"
    }

    /// After the HTTP server has drained: every acknowledged write is already in the log; closing
    /// syncs what the WAL's `interval` and `none` left in the page cache, or closes the connections to
    /// PostgreSQL, then releases the data directory.
    func close() async {
        if let cluster {
            await cluster.close()
        } else {
            await log.shutDown()
        }
        dataDirectory.close()
    }
}
