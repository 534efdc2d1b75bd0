import ArgumentParser
import Engine
import Foundation
import Live
import Logging
import Persistence
import Wire

/// The data directory option every offline command takes.
struct DataDirectoryOption: ParsableArguments {
    @Option(help: "Data directory of the statusd to work on.")
    var dataDir = "data"
}

/// Opens a data directory for an offline command, refusing while a server holds it: a running
/// statusd owns its files, and its operator API is the way to act on it.
func openOffline(_ path: String) throws -> DataDirectory {
    do {
        return try DataDirectory.open(path)
    } catch let error as PersistenceError where error.code == .locked {
        throw OperationFailure(error.detail)
    }
}

/// Recovers a stopped server's data directory (snapshot, then the log after it), refusing while a
/// server holds it.
func openStorageOffline(_ path: String) throws -> (DataDirectory, FileEventLog, RecoveredStates) {
    do {
        return try Storage.open(path, configuration: WALConfiguration(), logger: commandLogger())
    } catch let error as PersistenceError where error.code == .locked {
        throw OperationFailure(error.detail)
    }
}

/// Runs `body` on a stopped server's organizations and directory, recovered as start-up recovers
/// them, writing to its log (the WAL, or in cluster mode, when the environment or `STATUSD_CONFIG`
/// gives `postgres-url`, the log on PostgreSQL); closes the log and releases the data directory after.
func withOfflineRegistry<Value>(
    _ path: String, _ body: (Registry, Directory) async throws -> Value
) async throws -> Value {
    let environment = ProcessInfo.processInfo.environment
    let secrets = try ConfigurationSources.secrets(configPath: environment["STATUSD_CONFIG"], environment: environment)
    let storage: ServedStorage
    do {
        storage = try await ServedStorage.open(
            dataDir: path, configuration: WALConfiguration(), postgresURL: secrets["postgres-url"],
            logger: commandLogger())
    } catch let error as PersistenceError where error.code == .locked {
        throw OperationFailure(error.detail)
    }
    let registry = Registry(log: storage.log)
    registry.restore(Array(storage.states.organizations.values))
    do {
        let value = try await body(registry, Directory(state: storage.states.directory, log: storage.log))
        await storage.close()
        return value
    } catch {
        await storage.close()
        throw error
    }
}

/// A logger on standard error for the offline commands' warnings.
func commandLogger() -> Logger {
    var logger = Logger(label: "statusd") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
}
