import ArgumentParser
import Engine
import Foundation
import Live
import Persistence
import Wire

/// `statusd restore <file>`: puts a snapshot into an empty data directory; the server started on it
/// begins from that snapshot (`make run` loads `snapshots/demo.lz4` this way).
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a snapshot file into an empty data directory.")

    @Argument(help: "A snapshot file (snapshot-*.lz4, demo.lz4, ...).")
    var file: String

    @OptionGroup var data: DataDirectoryOption

    func run() throws {
        guard FileManager.default.fileExists(atPath: file) else { throw OperationFailure("no such file: \(file)") }
        let capture = try SnapshotStore.read(file)  // checked before anything is touched
        let directory = try openOffline(data.dataDir)
        defer { directory.close() }
        let store = SnapshotStore(dataDirectory: directory)
        let segments = try WALFiles.segments(in: directory.walPath)
        guard segments.isEmpty, try store.list().isEmpty else {
            throw OperationFailure("\(directory.path) already holds data; restore into an empty data directory")
        }
        let written = try store.write(capture)
        print("restored \(capture.organizations.count) organizations into \(written.path)")
    }
}
