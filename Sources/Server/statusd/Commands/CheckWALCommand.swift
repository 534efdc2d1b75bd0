import ArgumentParser
import Engine
import Foundation
import Live
import Persistence
import Wire

/// `statusd check-wal [--repair]`: reads the whole log and says whether start-up would accept it.
struct CheckWALCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-wal",
        abstract: "Check the write-ahead log; with --repair, drop a torn tail or cut the log at corruption.")

    @OptionGroup var data: DataDirectoryOption

    @Flag(
        help:
            "Repair: drop a torn tail as start-up does, or cut the log at corruption (later records are lost; copies are kept as .broken)."
    )
    var repair = false

    func run() throws {
        let directory = try openOffline(data.dataDir)
        defer { directory.close() }
        // The newest snapshot that reads says where the log must start; damaged ones are left alone here.
        let snapshot = try SnapshotStore(dataDirectory: directory).list().lazy.compactMap {
            try? SnapshotStore.read($0.path)
        }.first
        if let snapshot { print("snapshot: replay from position \(snapshot.replayFrom), log end \(snapshot.logEnd)") }
        let report = try WALCheck.run(
            walPath: directory.walPath, repair: repair,
            start: snapshot.map { WALStart(replayFrom: $0.replayFrom, logEnd: $0.logEnd) }, logger: commandLogger())
        for segment in report.segments {
            print("\(segment.name)  first position \(segment.first)  \(segment.records) records")
        }
        print(
            "\(report.records) records; \(report.organizations.count) organizations; directory seq \(report.directorySeq)"
        )
        switch report.outcome {
        case .clean:
            print("ok: start-up will accept this log")
        case .tornTail(let error):
            print("torn tail: \(error.description)")
            print("start-up drops it automatically; `statusd check-wal --repair` does the same now")
        case .corrupt(let error):
            print("CORRUPT: \(error.description)")
            print(
                "start-up refuses this log; `statusd check-wal --repair` cuts it at that offset (later records are lost)"
            )
            throw ExitCode(2)
        case .repaired(let what):
            print("repaired: \(what)")
        }
    }
}
