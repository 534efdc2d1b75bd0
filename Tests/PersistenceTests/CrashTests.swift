import Engine
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

@testable import Persistence

/// invariant 1 (docs/ARCHITECTURE.md) with a real process: `statusbench crash` writes from many concurrent writers and
/// prints each acknowledgement; it is killed with SIGKILL at a random moment, restarted, killed again.
/// Afterwards the log must hold every acknowledged write, and the recovered state must equal evolving
/// exactly the recovered events.
@Suite(.serialized) struct CrashTests {
    struct Ack: Hashable {
        let org: String
        let seq: UInt64
        let service: String
        let status: String
    }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["STATUSBENCH_BINARY"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/statusbench").path
    }

    /// Runs the writer until `killAfter` past its first acknowledgement, then SIGKILLs it.
    /// Returns the complete acknowledgement lines it printed.
    static func runAndKill(dataDir: String, fsync: String, snapshots: Bool, killAfter: Duration) async throws -> [Ack] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            ["crash", "--data-dir", dataDir, "--fsync", fsync, "--writers", "24", "--segment-kib", "256"]
            + (snapshots ? ["--snapshot-every-ms", "40"] : [])
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let collected = Mutex(Data())
        let reader = Thread {
            while true {
                guard let chunk = PipeReader.next(pipe.fileHandleForReading) else { return }
                collected.withLock { $0.append(chunk) }
            }
        }
        try process.run()
        reader.start()
        let started = ContinuousClock.now
        while !collected.withLock({ String(decoding: $0, as: UTF8.self).contains("\nack ") }) {
            guard ContinuousClock.now - started < .seconds(60), process.isRunning else {
                process.terminate()
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: killAfter)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // The pipe reaches EOF once the process is gone; take what it printed.
        let drained = ContinuousClock.now
        while !reader.isFinished && ContinuousClock.now - drained < .seconds(10) {
            try await Task.sleep(for: .milliseconds(5))
        }
        let text = collected.withLock { String(decoding: $0, as: UTF8.self) }
        // Only whole lines count: a kill may cut the last one short.
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 5, fields[0] == "ack", let seq = UInt64(fields[2]) else { return nil }
            return Ack(org: String(fields[1]), seq: seq, service: String(fields[3]), status: String(fields[4]))
        }
    }

    @Test(arguments: [("always", false), ("interval", false), ("none", false), ("always", true)])
    func sigkillAtRandomMoments_losesNoAcknowledgedWrite(fsync: String, snapshots: Bool) async throws {
        let fixture = WALFixture()
        var acknowledged: [Ack] = []
        for _ in 0..<4 {
            let delay = Duration.milliseconds(Int.random(in: 20...400))
            acknowledged += try await Self.runAndKill(
                dataDir: fixture.path, fsync: fsync, snapshots: snapshots, killAfter: delay)
        }
        #expect(acknowledged.count > 100, "the writer made progress (\(acknowledged.count) acknowledgements)")

        // Recover as statusd does (newest good snapshot, then the log after it), keeping every
        // replayed record to check against.
        let directory = try DataDirectory.open(fixture.path)
        let snapshot = try SnapshotStore(dataDirectory: directory).loadNewest(logger: Logger(label: "crash-test"))
        #expect((snapshot != nil) == snapshots)
        var states = RecoveredStates(snapshot: snapshot)
        var events: [String: [UInt64: OrgChange]] = [:]
        var replayed: [OrgID: OrgState] = [:]
        for state in snapshot?.organizations ?? [] { replayed[state.id] = state }
        let log = try FileEventLog.open(
            directory, configuration: WALConfiguration(fsync: .always, segmentBytesMax: 256 << 10),
            logger: Logger(label: "crash-test"),
            start: snapshot.map { WALStart(replayFrom: $0.replayFrom, logEnd: $0.logEnd) }
        ) { record, position in
            let before = states.records
            try states.apply(record, at: position)
            guard states.records > before, case .organization(let id, let event) = record else { return }
            events[id.rawValue, default: [:]][event.seq.rawValue] = event.change
            replayed[id, default: OrgState(id: id)].evolve(event)
        }
        log.close()
        directory.close()
        states.finish()

        var missing: [Ack] = []
        for ack in acknowledged {
            let recoveredSeq = states.organizations.first { $0.key.rawValue == ack.org }?.value.seq.rawValue ?? 0
            // The seq a write acknowledges is its command's last event: the page indicator's move,
            // when the status change moved it, follows the change itself.
            var seq = ack.seq
            if case .pageStatusChanged = events[ack.org]?[seq] { seq -= 1 }
            if let change = events[ack.org]?[seq] {
                // Replayed from the log: it must be exactly the acknowledged change.
                guard case .serviceStatusChanged(let service, let status, _) = change, service.rawValue == ack.service,
                    status.rawValue == ack.status
                else {
                    missing.append(ack)
                    continue
                }
            } else if ack.seq > recoveredSeq || snapshot == nil {
                // Not replayed: only fine when a snapshot holds it (seqs are gap-free, so a snapshot
                // at or past the ack's seq holds the event itself).
                missing.append(ack)
            }
        }
        #expect(
            missing.isEmpty, "\(missing.count) acknowledged writes lost under fsync \(fsync), e.g. \(missing.prefix(3))"
        )

        // The recovered state is exactly the snapshot's states with the replayed events evolved.
        #expect(replayed == states.organizations)
    }
}
