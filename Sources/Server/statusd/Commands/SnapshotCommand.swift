import ArgumentParser
import Engine
import Foundation
import Live
import Persistence

/// `statusd snapshot`: recovers a stopped server's data directory and writes a snapshot of it, so the
/// next start replays nothing; prunes to two and trims the WAL as the server does.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Write a snapshot of a stopped server's data directory.")

    @OptionGroup var data: DataDirectoryOption

    func run() throws {
        let (directory, log, states) = try openStorageOffline(data.dataDir)
        defer {
            log.close()
            directory.close()
        }
        let capture = SnapshotCapture(
            replayFrom: log.appendPosition, logEnd: log.appendPosition, directory: states.directory,
            organizations: states.organizations.values.filter(\.exists))
        let store = SnapshotStore(dataDirectory: directory)
        let written = try store.write(capture)
        let trimmed = try store.prune().map { try log.trim(before: $0) } ?? 0
        print(
            "\(written.path): \(capture.organizations.count) organizations, \(written.bytes) bytes; \(trimmed) WAL segments deleted"
        )
    }
}
