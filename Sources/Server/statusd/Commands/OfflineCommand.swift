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
/// them, writing to its log; closes the log and releases the data directory after.
func withOfflineRegistry<Value>(
    _ path: String, _ body: (Registry, Directory) async throws -> Value
) async throws -> Value {
    let (dataDirectory, log, states) = try openStorageOffline(path)
    defer {
        log.close()
        dataDirectory.close()
    }
    let registry = Registry(log: log)
    registry.restore(Array(states.organizations.values))
    return try await body(registry, Directory(state: states.directory, log: log))
}

/// A logger on standard error for the offline commands' warnings.
func commandLogger() -> Logger {
    var logger = Logger(label: "statusd") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
}
