import ArgumentParser
import Engine
import Foundation
import Persistence
import PostgresLog
import Wire

/// `statusd cluster init|import|export|status`: the log on PostgreSQL made ready, a local data directory
/// moved into it, and back; and what the cluster's nodes say of themselves. The database comes from the secret setting `postgres-url` (`STATUSD_POSTGRES_URL`
/// or the file `STATUSD_CONFIG` names), never the command line.
struct ClusterCommandGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Prepare the event log on PostgreSQL, move data into and out of it, and see the cluster's nodes.",
        subcommands: [
            ClusterInitCommand.self, ClusterImportCommand.self, ClusterExportCommand.self, ClusterStatusCommand.self,
        ])
}

struct ClusterStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The log's epoch and head, the leader, and each node's position, lag and version.")

    func run() async throws {
        let status = try await clusterStep("cannot read the cluster's status") {
            try await ClusterStatus.read(from: try postgresURL(), logger: commandLogger())
        }
        print(status.text)
    }
}

struct ClusterInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create the log's tables and functions (a node also does when there are none).")

    func run() async throws {
        let identity = try await clusterStep("cannot prepare the log on PostgreSQL") {
            try await ClusterTransfer.initialize(try postgresURL(), logger: commandLogger())
        }
        print("the log on PostgreSQL is ready: schema version \(identity.version), epoch \(identity.epoch)")
    }
}

struct ClusterImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Copy a stopped server's data directory (snapshot and WAL) into an empty log on PostgreSQL.")

    @OptionGroup var data: DataDirectoryOption

    func run() async throws {
        let (directory, log, states) = try openStorageOffline(data.dataDir)
        log.close()
        defer { directory.close() }
        let archive = try HistoryArchive(directory: directory, logger: commandLogger())
        try await clusterStep("cannot import into the log on PostgreSQL") {
            try await ClusterTransfer.importStates(
                states, archive: archive, into: try postgresURL(), logger: commandLogger())
        }
        print(
            "imported \(states.organizations.count) organizations and their history archive from \(directory.path): start nodes on new data directories with postgres-url set"
        )
    }
}

struct ClusterExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the log on PostgreSQL into a new data directory, which `statusd serve` then serves on its WAL."
    )

    @OptionGroup var data: DataDirectoryOption

    func run() async throws {
        let directory = try openOffline(data.dataDir)
        defer { directory.close() }
        let store = SnapshotStore(dataDirectory: directory)
        guard try WALFiles.segments(in: directory.walPath).isEmpty, try store.list().isEmpty else {
            throw OperationFailure("\(directory.path) already holds a log or snapshots: export into a new directory")
        }
        let archive = try HistoryArchive(directory: directory, logger: commandLogger())
        let states = try await clusterStep("cannot export the log on PostgreSQL") {
            try await ClusterTransfer.exportStates(from: try postgresURL(), archive: archive, logger: commandLogger())
        }
        // A snapshot at position 0 and an empty WAL: the WAL's first event continues each stream's seq.
        try store.write(
            SnapshotCapture(
                replayFrom: LogPosition(0), logEnd: LogPosition(0), directory: states.directory,
                organizations: Array(states.organizations.values)))
        print("exported \(states.organizations.count) organizations into \(directory.path)")
    }
}

/// The `postgres-url` secret, from the environment or the configuration file.
private func postgresURL() throws -> PostgresURL {
    let environment = ProcessInfo.processInfo.environment
    let secrets = try ConfigurationSources.secrets(configPath: environment["STATUSD_CONFIG"], environment: environment)
    guard let text = secrets["postgres-url"] else {
        throw OperationFailure(
            "no database: set STATUSD_POSTGRES_URL, or postgres-url in the file STATUSD_CONFIG names")
    }
    do {
        return try PostgresURL(text)
    } catch let invalid as PostgresURL.Invalid {
        throw OperationFailure(invalid.description)
    }
}

/// `body`, its failure said in one line after `what`.
private func clusterStep<Value>(_ what: String, _ body: () async throws -> Value) async throws -> Value {
    do {
        return try await body()
    } catch let failure as OperationFailure {
        throw failure
    } catch {
        throw OperationFailure("\(what): \(PostgresEventLog.sentence(error))")
    }
}
