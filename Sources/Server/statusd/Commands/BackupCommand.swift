import ArgumentParser
import Foundation
import Persistence
import Wire

/// `statusd backup <dir>`: a consistent copy of a data directory, live or stopped (`DataBackup`).
/// A running statusd does the same on its operator port (`POST /admin/backup`), after a snapshot.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy the newest snapshot and the WAL after it into a new folder.")

    @Argument(help: "Target folder; must not exist yet.")
    var target: String

    @OptionGroup var data: DataDirectoryOption

    func run() throws {
        let source = URL(fileURLWithPath: data.dataDir).standardizedFileURL.path
        do {
            let copied = try DataBackup.copy(from: source, to: target)
            print(
                "backed up \(copied.snapshot ?? "no snapshot"), \(copied.walSegments) WAL segments, \(copied.archiveFiles) archive files"
                    + (copied.deliveryJournal ? " and the delivery journal" : "") + " into \(target)"
            )
        } catch let failure as DataBackup.Failure {
            throw OperationFailure(failure.description)
        }
    }
}
