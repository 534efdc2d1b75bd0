import ArgumentParser
import CPlatform
import Engine
import Foundation
import HashTreeCollections
import Logging
import Persistence
import Synchronization

/// `statusbench memory`: resident memory over a long run on a simulated clock, well past the history
/// window. Monitors flip statuses every few minutes and each organization has an incident a day, as
/// a year of a busy status page; the hourly work of `statusd serve` (folding status history into
/// daily totals, moving closed incidents and maintenance to the archive) runs on the simulated clock.
/// Once both windows have filled (raw changes for 90 days, then daily totals for 400 more), RSS must
/// stay flat: the median of the last third of the samples after warm-up within `--tolerance` of the
/// median of the first third (medians, because a sample can land on a pass's garbage).
struct MemoryScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "RSS over a simulated year of writes: flat once the history window is full.")

    @Option(help: "Organizations.")
    var organizations = 50

    @Option(help: "Services per organization.")
    var services = 10

    @Option(help: "Simulated days to run.")
    var days = 720

    @Option(help: "Status changes per organization per simulated hour.")
    var changesPerHour = 4

    @Option(help: "Simulated days before RSS must be flat (90 days of raw changes + 400 of daily totals + slack).")
    var warmupDays = 500

    @Option(help: "Largest allowed RSS growth after warm-up, as a fraction (0.10 = 10 %).")
    var tolerance = 0.10

    @Option(help: "Directory for the scratch data directory.")
    var scratch = FileManager.default.temporaryDirectory.path

    @Option(help: "Directory for memory.jsonl, memory.md and memory.svg.")
    var output = "bench-results"

    mutating func validate() throws {
        guard (1...10_000).contains(organizations), (1...100).contains(services), (1...60).contains(changesPerHour)
        else { throw ValidationError("--organizations 1...10000, --services 1...100, --changes-per-hour 1...60") }
        guard warmupDays > HistoryPolicy.rawWindowDays, days >= warmupDays + 30 else {
            throw ValidationError(
                "--warmup-days must exceed the \(HistoryPolicy.rawWindowDays)-day window, --days warm-up + 30")
        }
        guard tolerance > 0, tolerance < 1 else { throw ValidationError("--tolerance must be in (0, 1)") }
    }

    /// RSS at one simulated day.
    struct Sample: Codable {
        let day: Int
        let residentMiB: Double
        let events: Int
        let incidentsInMemory: Int
        let incidentsArchived: Int
    }

    func run() async throws {
        let path = scratch + "/statusbench-memory-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = SimulatedClock()
        let (directory, log, _) = try Storage.open(
            path, configuration: WALConfiguration(fsync: .none), logger: Logger(label: "bench"))
        defer {
            log.close()
            directory.close()
        }
        let registry = Registry(log: log, clock: { clock.now })
        let archive = try HistoryArchive(directory: directory, logger: Logger(label: "bench"))
        let targets = try await makeOrganizations(registry)
        let started = ContinuousClock.now
        var samples: [Sample] = []
        var events = 0
        for day in 0..<days {
            events += try await simulateDay(targets, registry: registry, clock: clock)
            await registry.compactDueHistory(now: clock.now)
            await archive.archiveDue(in: registry, now: clock.now)
            cplatform_release_free_memory()  // as statusd does after its hourly pass
            if day % 10 == 9 || day == days - 1 {
                let sample = try sample(day: day + 1, events: events, registry: registry, archive: archive)
                samples.append(sample)
                FileHandle.standardError.write(
                    Data(
                        "day \(sample.day): RSS \(Int(sample.residentMiB)) MiB, \(events) events, incidents \(sample.incidentsInMemory) in memory / \(sample.incidentsArchived) archived\n"
                            .utf8))
            }
        }
        try report(samples, seconds: (ContinuousClock.now - started).seconds)
    }

    /// One organization's monitors: its actor and its services.
    typealias Target = (actor: OrgActor, services: [ServiceID])

    private func makeOrganizations(_ registry: Registry) async throws -> [Target] {
        var targets: [Target] = []
        for index in 0..<organizations {
            _ = try await registry.createOrganization(
                slug: "memory-\(index)", name: "Memory \(index)", timeZone: "UTC", owner: .random())
            let actor = registry.organization(slug: "memory-\(index)")!
            var ids: [ServiceID] = []
            for service in 0..<services {
                let commit = try await actor.submit(
                    .createService(
                        name: "S\(service)", description: "", status: .operational, groupID: nil, position: nil),
                    by: .system)
                if case .serviceCreated(let created) = commit.events.first?.change { ids.append(created.id) }
            }
            targets.append((actor, ids))
        }
        return targets
    }

    /// A simulated day: `changesPerHour` rounds an hour in which every organization changes one service's
    /// status (organizations in parallel), and an incident per organization from 09:00 to 10:00.
    private func simulateDay(_ targets: [Target], registry: Registry, clock: SimulatedClock) async throws -> Int {
        var events = 0
        let step = 3_600 / Double(changesPerHour)
        let statuses: [ServiceStatus] = [.degradedPerformance, .operational, .majorOutage, .operational]
        for hour in 0..<24 {
            for round in 0..<changesPerHour {
                clock.advance(step)
                let tick = hour * changesPerHour + round
                events += try await withThrowingTaskGroup(of: Int.self) { group in
                    for target in targets {
                        let service = target.services[tick % target.services.count]
                        let status = statuses[(tick / target.services.count) % statuses.count]
                        group.addTask {
                            try await target.actor.submit(.setServiceStatus(service, status), by: .system).events.count
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            if hour == 9 || hour == 10 { events += try await incidentStep(targets, opening: hour == 9) }
        }
        return events
    }

    private func incidentStep(_ targets: [Target], opening: Bool) async throws -> Int {
        var events = 0
        for target in targets {
            if opening {
                let draft = IncidentDraft(
                    name: "Elevated error rates", status: .investigating, impact: .minor,
                    body: "We are looking into elevated error rates on the API.",
                    affected: [AffectedService(serviceID: target.services[0], status: .partialOutage)])
                events += try await target.actor.submit(.createIncident(draft), by: .system).events.count
            } else {
                for incident in target.actor.view.state.incidents.values where incident.resolvedAt == nil {
                    events += try await target.actor.submit(
                        .postIncidentUpdate(incident.id, status: .resolved, body: "Resolved.", affected: nil),
                        by: .system
                    ).events.count
                }
            }
        }
        return events
    }

    private func sample(day: Int, events: Int, registry: Registry, archive: HistoryArchive) throws -> Sample {
        var inMemory = 0
        var archived = 0
        for actor in registry.all {
            inMemory += actor.view.state.incidents.count
            archived += try archive.counts(of: actor.id).incidents
        }
        return Sample(
            day: day, residentMiB: Double(ProcessMemory.residentBytes) / 1_048_576, events: events,
            incidentsInMemory: inMemory, incidentsArchived: archived)
    }

    private func report(_ samples: [Sample], seconds: Double) throws {
        let settled = samples.filter { $0.day >= warmupDays }.map(\.residentMiB)
        let third = settled.count / 3
        guard third > 0 else { throw ValidationError("too few samples after warm-up: run more --days") }
        let early = Self.median(settled.prefix(third))
        let late = Self.median(settled.suffix(third))
        let growth = late / early - 1
        let verdict = growth <= tolerance ? "flat" : "GROWING"
        let summary =
            "RSS after warm-up (day \(warmupDays)): median \(Int(early)) MiB early, \(Int(late)) MiB late: \(String(format: "%+.1f", growth * 100)) % (\(verdict), tolerance \(Int(tolerance * 100)) %); range \(Int(settled.min() ?? 0))-\(Int(settled.max() ?? 0)) MiB; \(samples.last?.events ?? 0) events in \(Int(seconds)) s"
        print(summary)
        let directory = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let lines = try samples.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try (lines.joined(separator: "\n") + "\n").write(
            to: directory.appendingPathComponent("memory.jsonl"), atomically: true, encoding: .utf8)
        var table =
            "| day | RSS MiB | events | incidents in memory | incidents archived |\n| ---: | ---: | ---: | ---: | ---: |\n"
        for sample in samples {
            table +=
                "| \(sample.day) | \(Int(sample.residentMiB)) | \(sample.events) | \(sample.incidentsInMemory) | \(sample.incidentsArchived) |\n"
        }
        print(table)
        try (table + "\n" + summary + "\n").write(
            to: directory.appendingPathComponent("memory.md"), atomically: true, encoding: .utf8)
        let svg = ResultTable.svg(
            title: "statusbench memory: RSS (MiB) by simulated day, \(organizations) organizations",
            labels: samples.map { "day \($0.day)" }, series: [("RSS MiB", samples.map(\.residentMiB))])
        try svg.write(to: directory.appendingPathComponent("memory.svg"), atomically: true, encoding: .utf8)
        if growth > tolerance { throw ExitCode(1) }
    }

    private static func median(_ values: some Collection<Double>) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}

/// The scenario's clock: the registry reads it, the scenario moves it.
final class SimulatedClock: Sendable {
    private let instant = Mutex(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01 UTC

    var now: Date { instant.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { instant.withLock { $0 += seconds } }
}
