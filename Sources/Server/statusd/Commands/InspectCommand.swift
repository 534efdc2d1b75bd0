import ArgumentParser
import Engine
import Foundation
import HTTP
import HashTreeCollections
import Live
import Persistence
import StatuspageCompat
import Wire

/// `statusd inspect <file>`: what a snapshot or a WAL segment holds, checked, for a person to read.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Describe a snapshot (.lz4) or a WAL segment (.wal), checking its checksums.")

    @Argument(help: "A snapshot-*.lz4 or a *.wal file.")
    var file: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: file) else { throw OperationFailure("no such file: \(file)") }
        if file.hasSuffix(".wal") || file.hasSuffix(".wal.broken") {
            try inspectSegment()
        } else {
            try inspectSnapshot()
        }
    }

    private func inspectSnapshot() throws {
        let capture: SnapshotCapture
        do {
            capture = try SnapshotStore.read(file)
        } catch let error as PersistenceError {
            print("\(file): FAILED: \(error.detail)")
            throw ExitCode(2)
        }
        print("\(file): snapshot, checksum ok")
        print("replay from position \(capture.replayFrom); log end \(capture.logEnd)")
        let directory = capture.directory
        print(
            "directory: seq \(directory.seq), \(directory.accounts.count) accounts, \(directory.sessions.count) sessions, \(directory.identities.count) identity links"
        )
        print("\(capture.organizations.count) organizations:")
        for state in capture.organizations.sorted(by: { $0.settings.slug < $1.settings.slug }) {
            let active = state.incidents.values.count { $0.status.isActive }
            let history = state.statusHistory.values.reduce(0) { $0 + $1.count }
            print(
                "  \(state.settings.slug) (\(state.id)) seq \(state.seq): \(state.services.count) services, \(state.groups.count) groups, "
                    + "\(state.incidents.count) incidents (\(active) active), \(state.maintenance.count) maintenance, "
                    + "\(state.members.count) members, \(state.keys.count) keys, \(history) status changes")
        }
    }

    private func inspectSegment() throws {
        let summary = try WALSegmentSummary.read(file)
        print(
            "\(file): WAL segment, format version \(summary.version), first position \(summary.firstPosition.map { "\($0)" } ?? "?")"
        )
        print("\(summary.batches) batches, \(summary.records) records, \(summary.bytesUsed) bytes used")
        if let directory = summary.directory {
            print("directory: seq \(directory.lowerBound)...\(directory.upperBound)")
        }
        for (id, seqs) in summary.organizations.sorted(by: { $0.key < $1.key }) {
            print("  \(id): seq \(seqs.lowerBound)...\(seqs.upperBound)")
        }
        if let invalid = summary.invalid {
            print(
                "INVALID at byte \(invalid.offset): \(invalid.reason) (a torn tail if this is the last segment; run `statusd check-wal`)"
            )
            throw ExitCode(2)
        }
        print("checksums ok")
    }
}
