import Engine
import Foundation

/// A consistent copy of a data directory, live or stopped: the newest snapshot and the WAL segments
/// from the one it replays from. Snapshots never change once written and the WAL only grows, so the
/// copy is the log as of some moment, at worst with a torn last batch, which the restored server drops
/// as after a crash. The history archive is copied last: an archiving event in the copied WAL was
/// logged only after its block was durable, so the copy holds that block too. The delivery journal is
/// copied first: its marks are then older than the copied log, so a restored server sends again what
/// was sent after them (at least once, as after a crash) and never skips a notification.
public enum DataBackup {
    public struct Copied: Sendable {
        /// The snapshot's file name, nil when the directory had none yet.
        public let snapshot: String?
        public let walSegments: Int
        public let archiveFiles: Int
        /// Whether the delivery journal was copied (a directory that never notified has none).
        public let deliveryJournal: Bool
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Copies `source` (a data directory) into `target`, a folder that must not exist yet.
    public static func copy(from source: String, to target: String) throws -> Copied {
        let manager = FileManager.default
        guard !manager.fileExists(atPath: target) else {
            throw Failure(description: "\(target) exists; back up into a new folder")
        }
        guard manager.fileExists(atPath: source + "/wal") else {
            throw Failure(description: "\(source) is not a statusd data directory")
        }
        try manager.createDirectory(atPath: target + "/wal", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: target + "/snapshots", withIntermediateDirectories: true)
        let journal = source + "/deliveries/journal"
        let hasJournal = manager.fileExists(atPath: journal)
        if hasJournal {
            try manager.createDirectory(atPath: target + "/deliveries", withIntermediateDirectories: true)
            try manager.copyItem(atPath: journal, toPath: target + "/deliveries/journal")
        }
        let newest = try SnapshotStore(path: source + "/snapshots").list().first
        let snapshotName = newest.map { URL(fileURLWithPath: $0.path).lastPathComponent }
        if let newest, let snapshotName {
            try manager.copyItem(atPath: newest.path, toPath: target + "/snapshots/" + snapshotName)
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
        return Copied(
            snapshot: snapshotName, walSegments: copied, archiveFiles: archives, deliveryJournal: hasJournal)
    }

    /// Copies every organization's archive file (appended to, never rewritten: a copy taken while a
    /// block is written ends in a torn block, which the restored server cuts as after a crash).
    private static func copyArchive(from source: String, to target: String) throws -> Int {
        let manager = FileManager.default
        guard manager.fileExists(atPath: source) else { return 0 }
        try manager.createDirectory(atPath: target, withIntermediateDirectories: true)
        let files = try manager.contentsOfDirectory(atPath: source).filter { $0.hasSuffix(".archive") }
        for file in files { try manager.copyItem(atPath: source + "/" + file, toPath: target + "/" + file) }
        return files.count
    }
}
