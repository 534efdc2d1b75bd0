import ArgumentParser
import Engine
import Foundation
import HashTreeCollections
import Logging
import Persistence
import Synchronization

/// `statusbench restore`: how fast statusd comes back. Generates organizations with services and
/// resolved incidents (through `decide`/`evolve`, as real history would be made), snapshots them, then
/// measures a restart from the snapshot alone and from the snapshot plus a long WAL after it, each in a
/// fresh child process so that its peak RSS is the restart's own.
struct RestoreScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Snapshot size and time; restart time and peak RSS from snapshot, and snapshot + WAL.")

    @Option(help: "Organizations to generate.")
    var organizations = 10_000

    @Option(help: "Services per organization.")
    var services = 20

    @Option(help: "Incidents per organization, each with updates and resolved.")
    var incidents = 50

    @Option(help: "Status-change events written to the WAL after the snapshot.")
    var walEvents = 1_000_000

    @Option(help: "Folder for the scratch data directory.")
    var scratch = FileManager.default.temporaryDirectory.path

    @Option(help: "Directory for restore.jsonl and restore.md.")
    var output = "bench-results"

    @Flag(help: "Keep the generated data directory (its path is printed) to inspect or serve it.")
    var keep = false

    @Option(help: "Internal: time a restart of this data directory and print it as JSON.")
    var probe: String?

    func run() async throws {
        if let probe { return try Self.probeRestart(probe) }
        let environment = BenchEnvironment.current()
        let data = scratch + "/statusbench-restore-\(UUID().uuidString)"
        defer {
            if keep { print("kept \(data)") } else { try? FileManager.default.removeItem(atPath: data) }
        }

        let generateStart = ContinuousClock.now
        let states = try generate()
        let generated = (ContinuousClock.now - generateStart).seconds
        print("generated \(organizations) organizations in \(String(format: "%.1f", generated)) s")

        let directory = try DataDirectory.open(data)
        let snapshotStart = ContinuousClock.now
        let written = try SnapshotStore(dataDirectory: directory).write(
            SnapshotCapture(
                replayFrom: LogPosition(0), logEnd: LogPosition(0), directory: DirectoryState(), organizations: states))
        let snapshotSeconds = (ContinuousClock.now - snapshotStart).seconds
        directory.close()
        print(
            "snapshot: \(written.bytes) bytes (raw \(written.rawBytes)) in \(String(format: "%.2f", snapshotSeconds)) s"
        )

        let fromSnapshot = try Self.spawnProbe(data)
        print("restart from the snapshot: \(fromSnapshot.seconds) s, peak RSS \(fromSnapshot.peakRSS >> 20) MiB")
        try await appendEvents(data)
        let withWAL = try Self.spawnProbe(data)
        print(
            "restart from the snapshot + \(walEvents) WAL events: \(withWAL.seconds) s, peak RSS \(withWAL.peakRSS >> 20) MiB"
        )

        let result = BenchResult(
            scenario: "restore",
            parameters: [
                "organizations": "\(organizations)", "services": "\(services)", "incidents": "\(incidents)",
                "wal_events": "\(walEvents)",
            ],
            opsPerSecond: Double(written.rawBytes) / 1_048_576 / fromSnapshot.seconds, p50Micros: 0, p99Micros: 0,
            p999Micros: 0,
            extra: [
                "snapshot_seconds": snapshotSeconds, "snapshot_bytes": Double(written.bytes),
                "raw_bytes": Double(written.rawBytes), "restore_snapshot_seconds": fromSnapshot.seconds,
                "restore_snapshot_peak_rss_mib": Double(fromSnapshot.peakRSS >> 20),
                "restore_with_wal_seconds": withWAL.seconds,
                "restore_with_wal_peak_rss_mib": Double(withWAL.peakRSS >> 20),
            ],
            environment: environment)
        print(result.jsonLine())
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try (result.jsonLine() + "\n").write(toFile: output + "/restore.jsonl", atomically: true, encoding: .utf8)
    }

    /// Organizations whose history a real page would have: services, and incidents that set statuses,
    /// posted updates and were resolved (restoring the services).
    private func generate() throws -> [OrgState] {
        var states: [OrgState] = []
        states.reserveCapacity(organizations)
        let progress = max(1, organizations / 10)
        for index in 0..<organizations {
            var generator = OrgGenerator(now: Date(timeIntervalSince1970: 1_790_000_000))
            try generator.run(
                .createOrganization(
                    slug: "org-\(index)", name: "Organization \(index)", timeZone: "UTC", owner: .random()))
            var ids: [ServiceID] = []
            for service in 0..<services {
                let changes = try generator.run(
                    .createService(
                        name: "Service \(service)", description: "A service", status: .operational, groupID: nil,
                        position: nil))
                if case .serviceCreated(let created) = changes.first { ids.append(created.id) }
            }
            for incident in 0..<incidents {
                let affected = [ids[incident % ids.count], ids[(incident + 1) % ids.count]]
                let changes = try generator.run(
                    .createIncident(
                        IncidentDraft(
                            name: "Incident \(incident)", status: .investigating, impact: .minor,
                            body: "We are investigating elevated error rates on this service.",
                            affected: affected.map { AffectedService(serviceID: $0, status: .partialOutage) })))
                guard case .incidentCreated(let created) = changes.first else { continue }
                try generator.run(
                    .postIncidentUpdate(
                        created.id, status: .identified, body: "The cause is identified; a fix is rolling out.",
                        affected: nil))
                try generator.run(.postIncidentUpdate(created.id, status: .resolved, body: "Resolved.", affected: nil))
            }
            states.append(generator.state)
            if (index + 1) % progress == 0 {
                FileHandle.standardError.write(Data("\rgenerating: \(index + 1)/\(organizations)".utf8))
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        return states
    }

    /// Writes `walEvents` status changes through the actors into the log after the snapshot.
    private func appendEvents(_ data: String) async throws {
        let (directory, log, states) = try Storage.open(
            data, configuration: WALConfiguration(fsync: .none), logger: Logger(label: "bench"))
        let registry = Registry(log: log)
        registry.restore(Array(states.organizations.values))
        let actors = registry.all
        let target = walEvents
        let written = EventCounter()
        FileHandle.standardError.write(Data("writing \(target) status changes into the WAL\n".utf8))
        // Each task owns the services at its index in every organization, and flips one to the status it
        // does not have: every command is a real change, so the log gets exactly `walEvents` events.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<64 {
                group.addTask {
                    var round = 0
                    while written.count.load(ordering: .relaxed) < target {
                        let actor = actors[(task + round * 64) % actors.count]
                        let services = actor.view.state.orderedServices
                        let service = services[(task + round) % services.count]
                        let next: ServiceStatus = service.status == .majorOutage ? .operational : .majorOutage
                        let commit = try await actor.submit(.setServiceStatus(service.id, next), by: .system)
                        written.count.add(commit.events.count, ordering: .relaxed)
                        round += 1
                    }
                }
            }
            try await group.waitForAll()
        }
        log.close()
        directory.close()
    }

    private struct ProbeResult: Decodable {
        let seconds: Double
        let peakRSS: Int
        let organizations: Int
        let records: Int
    }

    private static func spawnProbe(_ data: String) throws -> ProbeResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["restore", "--probe", data]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("the restart probe failed") }
        return try JSONDecoder().decode(ProbeResult.self, from: bytes)
    }

    /// In the child: open the data directory as statusd does, then report time and peak RSS.
    private static func probeRestart(_ data: String) throws {
        let start = ContinuousClock.now
        let (directory, log, states) = try Storage.open(
            data, configuration: WALConfiguration(fsync: .none), logger: Logger(label: "probe"))
        let registry = Registry(log: log)
        registry.restore(Array(states.organizations.values))
        let seconds = (ContinuousClock.now - start).seconds
        log.close()
        directory.close()
        print(
            #"{"seconds": \#(seconds), "peakRSS": \#(ProcessMemory.peakBytes), "organizations": \#(states.organizations.count), "records": \#(states.records)}"#
        )
    }
}

/// An organization built by `decide` and `evolve` alone, with a clock that moves a minute per command.
struct OrgGenerator {
    var state = OrgState(id: .random())
    var now: Date

    @discardableResult
    mutating func run(_ command: OrgCommand) throws -> [OrgChange] {
        now += 60
        let changes = try state.decide(command, by: .system, at: now)
        for change in changes { state.evolve(OrgEvent(seq: state.seq.next, at: now, by: .system, change: change)) }
        return changes
    }
}

/// A count shared by the writer tasks.
final class EventCounter: Sendable {
    let count = Atomic<Int>(0)
}
