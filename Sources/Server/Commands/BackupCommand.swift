import ArgumentParser
import Engine
import Foundation
import Persistence

/// `statusd backup <dir>`: a consistent copy of a data directory, live or stopped: the newest snapshot
/// and the WAL segments from the one it replays from. Snapshots never change once written and the WAL
/// only grows, so the copy is the log as of some moment, at worst with a torn last batch, which the
/// restored server drops as after a crash. The history archive is copied last: an archiving event in
/// the copied WAL was logged only after its block was durable, so the copy holds that block too.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy the newest snapshot and the WAL after it into a new folder.")

    @Argument(help: "Target folder; must not exist yet.")
    var target: String

    @OptionGroup var data: DataDirectoryOption

    func run() throws {
        let manager = FileManager.default
        guard !manager.fileExists(atPath: target) else {
            throw CommandFailure("\(target) exists; back up into a new folder")
        }
        let source = URL(fileURLWithPath: data.dataDir).standardizedFileURL.path
        guard manager.fileExists(atPath: source + "/wal") else {
            throw CommandFailure("\(source) is not a statusd data directory")
        }
        try manager.createDirectory(atPath: target + "/wal", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: target + "/snapshots", withIntermediateDirectories: true)
        let newest = try SnapshotStore(path: source + "/snapshots").list().first
        if let newest {
            try manager.copyItem(
                atPath: newest.path,
                toPath: target + "/snapshots/" + URL(fileURLWithPath: newest.path).lastPathComponent)
        }
        let from = newest?.position ?? LogPosition(0)
        let segments = try WALFiles.segments(in: source + "/wal")
        var copied = 0
        for (index, segment) in segments.enumerated() {
            // A segment ending before the snapshot's replay position holds nothing the copy needs.
            if index + 1 < segments.count, segments[index + 1].first <= from { continue }
            try manager.copyItem(atPath: source + "/wal/" + segment.name, toPath: target + "/wal/" + segment.name)
            copied += 1
        }
        let archives = try copyArchive(from: source + "/archive", to: target + "/archive")
        print(
            "backed up \(newest.map { URL(fileURLWithPath: $0.path).lastPathComponent } ?? "no snapshot"), \(copied) WAL segments and \(archives) archive files into \(target)"
        )
    }

    /// Copies every organization's archive file (appended to, never rewritten: a copy taken while a
    /// block is written ends in a torn block, which the restored server cuts as after a crash).
    private func copyArchive(from source: String, to target: String) throws -> Int {
        let manager = FileManager.default
        guard manager.fileExists(atPath: source) else { return 0 }
        try manager.createDirectory(atPath: target, withIntermediateDirectories: true)
        let files = try manager.contentsOfDirectory(atPath: source).filter { $0.hasSuffix(".archive") }
        for file in files { try manager.copyItem(atPath: source + "/" + file, toPath: target + "/" + file) }
        return files.count
    }
}
