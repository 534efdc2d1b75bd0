import ArgumentParser
import Engine
import Foundation
import HashTreeCollections
import Logging
import Persistence

/// `statusbench crash`: writes through the engine into a real data directory from many concurrent
/// writers, printing one line per acknowledged command, until it is killed. Crash tests SIGKILL it at
/// a random moment, restart it, and check that every acknowledged write survived.
///
/// Each acknowledgement line is `ack <org id> <seq> <service id> <status>`, written only after the
/// command returned, i.e. after the log made it durable under the policy.
struct CrashScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash", abstract: "Write until killed, printing each acknowledgement (for crash tests).")

    @Option(help: "Data directory (created if missing).")
    var dataDir: String

    @Option(help: "always, interval or none.")
    var fsync = "always"

    @Option(help: "Concurrent writers.")
    var writers = 32

    @Option(help: "Organizations the writers spread over.")
    var organizations = 4

    @Option(help: "WAL segment size in KiB (small segments exercise rolls).")
    var segmentKib = 1_024

    @Option(help: "Take a snapshot (and trim the WAL behind the older kept one) every this many ms; 0: never.")
    var snapshotEveryMs = 0

    mutating func validate() throws {
        guard ["always", "interval", "none"].contains(fsync) else {
            throw ValidationError("--fsync must be always, interval or none")
        }
        guard (1...1_000).contains(writers), (1...100).contains(organizations) else {
            throw ValidationError("--writers must be 1...1000 and --organizations 1...100")
        }
    }

    func run() async throws {
        let policy: FsyncPolicy = fsync == "always" ? .always : fsync == "none" ? .none : .interval(.milliseconds(20))
        let (directory, log, states) = try Storage.open(
            dataDir, configuration: WALConfiguration(fsync: policy, segmentBytesMax: segmentKib << 10),
            logger: Logger(label: "crash"))
        defer {
            log.close()
            directory.close()
        }
        let registry = Registry(log: log)
        registry.restore(Array(states.organizations.values))
        let recordsDirectory = Directory(state: states.directory, log: log)
        let targets = try await prepare(registry)
        let output = AckPrinter()
        output.line("ready \(states.records)")
        let store = SnapshotStore(dataDirectory: directory)
        let snapshotEvery = snapshotEveryMs
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (actor, service) in targets {
                group.addTask { try await Self.flip(service, on: actor, output: output) }
            }
            if snapshotEvery > 0 {
                group.addTask {
                    while true {
                        try await Task.sleep(for: .milliseconds(snapshotEvery))
                        try store.write(registry.capture(log: log, directory: recordsDirectory))
                        if let oldest = try store.prune() { try log.trim(before: oldest) }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// The organizations and one service per writer, created on the first run and found again after.
    private func prepare(_ registry: Registry) async throws -> [(OrgActor, ServiceID)] {
        var targets: [(OrgActor, ServiceID)] = []
        for writer in 0..<writers {
            let slug = "crash-\(writer % organizations)"
            if registry.organization(slug: slug) == nil {
                _ = try await registry.createOrganization(
                    slug: slug, name: slug, timeZone: "UTC", owner: AccountID.random())
            }
            let actor = registry.organization(slug: slug)!
            let name = "writer \(writer)"
            if let existing = actor.view.state.services.values.first(where: { $0.name == name }) {
                targets.append((actor, existing.id))
                continue
            }
            let commit = try await actor.submit(
                .createService(name: name, description: "", status: .operational, groupID: nil, position: nil),
                by: .system)
            guard case .serviceCreated(let service) = commit.events[0].change else { continue }
            targets.append((actor, service.id))
        }
        return targets
    }

    private static func flip(_ service: ServiceID, on actor: OrgActor, output: AckPrinter) async throws {
        var status = ServiceStatus.majorOutage
        while true {
            if actor.view.state.services[service]?.status == status {
                status = status == .majorOutage ? .operational : .majorOutage
            }
            let commit = try await actor.submit(.setServiceStatus(service, status), by: .system)
            for event in commit.events {
                output.line("ack \(actor.id) \(event.seq) \(service) \(status.rawValue)")
            }
            status = status == .majorOutage ? .operational : .majorOutage
        }
    }
}

/// Writes whole lines to standard output with one write call each, so that a kill never leaves a
/// line that looks complete but is not.
final class AckPrinter: Sendable {
    func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
