import Engine
import Foundation
import HashTreeCollections
import Logging
import Synchronization
import Testing

@testable import Persistence

/// A crash between any two file operations: the same workload of writes, segment rolls,
/// incidents, snapshots with pruning and WAL trimming, and a history-archive move runs once per crash
/// point N, with every file operation after the N-th failing as if the process had died there. Then
/// the directory is recovered as a restart would, and must hold every acknowledged write, at most the
/// one write in flight as a whole (never half of it), and every archived incident in memory or in the
/// archive. Points are tried until the workload finishes before its crash point.
@Suite struct CrashPointTests {
    static let steps = 24

    @Test func crashBetweenAnyTwoFileOperations_losesNothingAcknowledged_andHalfAppliesNothing() async throws {
        var point = 0
        var finished = false
        var crashedInFlight = 0
        while !finished {
            try #require(point < 2_000, "the workload should end within 2,000 file operations")
            let run = try await Self.run(crashAfter: point)
            finished = run.finished
            if run.recoveredInFlight { crashedInFlight += 1 }
            point += 1
        }
        // Read by scripts/reliability.py for the README's table.
        print("crash points: \(point) tried, \(crashedInFlight) left the write in flight whole")
        // Some points fall between a batch's write and its acknowledgement, where recovery finds the
        // write whole: the test would mean little if none did.
        #expect(crashedInFlight > 0, "no crash point left a whole unacknowledged write: \(point) points tried")
    }

    struct Outcome {
        let finished: Bool
        let recoveredInFlight: Bool
    }

    static func run(crashAfter point: Int) async throws -> Outcome {
        let fixture = WALFixture()
        let world = try await OpenWorld(fixture, segmentBytes: 4_096)
        let archive = try HistoryArchive(directory: world.directory, logger: Logger(label: "archive"))
        let snapshots = SnapshotStore(dataDirectory: world.directory)
        let start = world.actor.view.state
        var incidents: [IncidentID] = []
        FileFaults.crash(after: point, under: fixture.path)
        defer { FileFaults.removeAll(under: fixture.path) }
        world.recorder.reset()

        var finished = true
        do {
            for step in 0..<steps {
                _ = try await world.flip(step)
                if step % 6 == 2 { incidents.append(try await world.openIncident()) }
                if step % 6 == 4, let open = incidents.last { try await world.resolve(open) }
                if step == 10 || step == 20 {
                    try snapshots.write(world.registry.capture(log: world.recorder, directory: world.records))
                    if let oldest = try snapshots.prune() { try world.log.trim(before: oldest) }
                }
                if step == 15 { await archive.archiveDue(in: world.registry, now: world.now + 100 * 86_400) }
            }
        } catch {
            finished = false
        }
        finished = finished && FileFaults.operations(under: fixture.path) <= point
        world.close()
        FileFaults.removeAll(under: fixture.path)

        let recovered: OrgState? = try {
            let opened = try Storage.open(fixture.path, configuration: world.configuration, logger: Logger(label: "r"))
            defer {
                opened.log.close()
                opened.directory.close()
            }
            return opened.states.organizations[world.actor.id]
        }()
        let (acknowledged, inFlight) = world.recorder.events(of: world.actor.id)
        var expected = start
        for event in acknowledged { expected.evolve(event) }
        var withInFlight = expected
        for event in inFlight { withInFlight.evolve(event) }
        let state = try #require(recovered, "crash after \(point) operations: the organization is gone")
        #expect(
            state == expected || (!inFlight.isEmpty && state == withInFlight),
            "crash after \(point) operations: recovered seq \(state.seq), acknowledged \(expected.seq)")

        for id in incidents where state.incidents[id] == nil {
            let archived = try HistoryArchive(path: fixture.path + "/archive", logger: Logger(label: "a"))
                .incident(id, of: world.actor.id)
            #expect(
                archived != nil, "crash after \(point) operations: incident \(id) is neither in memory nor archived")
        }
        return Outcome(
            finished: finished, recoveredInFlight: !inFlight.isEmpty && state == withInFlight && state != expected)
    }
}

/// The real log, with a record of what it was asked to append: what it acknowledged, and the append
/// it refused (the one a crash may or may not have left whole on disk). A decorator, not a mock:
/// every append goes to the real log.
final class RecordingLog: EventLog {
    private let log: FileEventLog
    private let appends = Mutex<(acknowledged: [LogRecord], refused: [[LogRecord]])>(([], []))

    init(_ log: FileEventLog) { self.log = log }

    var appendPosition: LogPosition { log.appendPosition }

    func append(_ records: [LogRecord], isolation: isolated (any Actor)?) async throws -> LogPosition {
        do {
            let position = try await log.append(records, isolation: isolation)
            appends.withLock { $0.acknowledged += records }
            return position
        } catch {
            appends.withLock { $0.refused.append(records) }
            throw error
        }
    }

    func reset() { appends.withLock { $0 = ([], []) } }

    /// One organization's acknowledged events in log order, and those of the first refused append.
    func events(of org: OrgID) -> (acknowledged: [OrgEvent], inFlight: [OrgEvent]) {
        func events(_ records: [LogRecord]) -> [OrgEvent] {
            records.compactMap {
                guard case .organization(let id, let event) = $0, id == org else { return nil }
                return event
            }
        }
        return appends.withLock { (events($0.acknowledged), events($0.refused.first ?? [])) }
    }
}
