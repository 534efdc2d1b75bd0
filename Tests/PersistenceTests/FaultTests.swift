import Engine
import Foundation
import HashTreeCollections
import Logging
import Synchronization
import Testing

@testable import Persistence

/// A failing disk, through the `FileFaults` seam: a full disk, a failing device, a file-size
/// limit and a write cut short, on the write and on the fsync, under `always` and `interval`. For each,
/// the writer that meets it is refused (`unavailable`, which the server answers with 503), every later
/// writer too, reads go on from memory, one critical line names the file and the cause, and a restart
/// holds exactly the acknowledged writes: the failed batch is neither acknowledged nor recovered, as
/// the log erases it. Only when the disk refuses that erasure too (a fault on every later write) may
/// the failed batch come back, and then whole, as after a crash: never half of it.
@Suite struct FaultTests {
    static let faults: [FileFaults.Rule] = [
        .init([.write], pathContains: ".wal", after: 3, errno: ENOSPC),
        .init([.write], pathContains: ".wal", after: 3, errno: EIO),
        .init([.write], pathContains: ".wal", after: 3, errno: EFBIG),
        .init([.write], pathContains: ".wal", after: 3, errno: ENOSPC, shortWrite: true),
        .init([.sync], pathContains: ".wal", after: 3, errno: EIO),
        .init([.sync], pathContains: ".wal", after: 3, errno: ENOSPC),
        .init([.write], pathContains: ".wal", after: 3, errno: ENOSPC, shortWrite: true, times: 1),
        .init([.write, .sync], pathContains: ".wal", after: 3, errno: EIO, times: 1),
        // A segment roll that fails (its rename, then its header write): the batch that needed the new
        // segment fails, and the acknowledged batch before it must stay.
        .init([.rename], pathContains: "spare", errno: ENOSPC, times: 1),
        .init([.write], pathContains: ".wal", after: 12, errno: EIO, times: 1),
    ]

    @Test(arguments: faults, [FsyncPolicy.always, .interval(.milliseconds(1))])
    func failingDisk_refusesWriters_keepsReads_andLosesNothingAcknowledged(
        _ fault: FileFaults.Rule, _ policy: FsyncPolicy
    ) async throws {
        let fixture = WALFixture()
        let world = try await OpenWorld(fixture, policy: policy, segmentBytes: 4_096)
        let before = world.actor.view.state
        world.recorder.reset()
        FileFaults.install([fault], under: fixture.path)
        defer { FileFaults.removeAll(under: fixture.path) }

        var acknowledged = before
        var refusal: (any Error)?
        for index in 0..<40 {
            do {
                let commit = try await world.flip(index)
                for event in commit.events { acknowledged.evolve(event) }
            } catch {
                refusal = error
                break
            }
        }
        let refused = try #require(refusal as? EngineError, "the disk failed, so a write was refused: \(fault)")
        #expect(refused.code == .unavailable)
        await #expect(throws: EngineError.self, "and every later one") { _ = try await world.flip(99) }
        #expect(world.log.failure?.code == .logFailed)
        #expect(world.actor.view.state == acknowledged, "reads go on, from the acknowledged state")
        let critical = world.messages.critical
        #expect(critical.count == 1, "one critical line: \(critical)")
        #expect(
            critical.first?.contains(String(cString: strerror(fault.errno))) == true, "names the cause: \(critical)")
        #expect(critical.first?.contains(fixture.walPath) == true, "and the file: \(critical)")
        world.close()

        FileFaults.removeAll(under: fixture.path)
        let recovered = try Storage.open(fixture.path, configuration: world.configuration, logger: Logger(label: "t"))
        defer {
            recovered.log.close()
            recovered.directory.close()
        }
        let state = recovered.states.organizations[world.actor.id]
        var whole = acknowledged
        for event in world.recorder.events(of: world.actor.id).inFlight { whole.evolve(event) }
        let erasureRefused = fault.times == nil && fault.operations.contains(.write)
        #expect(
            state == acknowledged || (erasureRefused && state == whole),
            "exactly the acknowledged writes: seq \(state?.seq ?? .zero) for \(acknowledged.seq)")
    }

    @Test func faultRules_readFromText_andRefuseWhatTheyCannotRead() throws {
        let rules = try FileFaults.Rule.parse("ops=write+sync,path=.wal,after=2,errno=ENOSPC,short;ops=rename,times=1")
        #expect(rules.count == 2)
        #expect(rules[0].operations == [.write, .sync] && rules[0].pathContains == ".wal" && rules[0].after == 2)
        #expect(rules[0].errno == ENOSPC && rules[0].shortWrite && rules[1].errno == EIO && rules[1].times == 1)
        #expect(throws: FaultSpecificationError.self) { try FileFaults.Rule.parse("ops=flush") }
        #expect(throws: FaultSpecificationError.self) { try FileFaults.Rule.parse("errno=EWHATEVER") }
        #expect(throws: FaultSpecificationError.self) { try FileFaults.Rule.parse("after=two") }
    }
}

/// A data directory opened as the server opens it, with one organization of three services.
struct OpenWorld {
    let configuration: WALConfiguration
    let directory: DataDirectory
    let log: FileEventLog
    /// The log the registry writes through: the real one, recording what it acknowledged.
    let recorder: RecordingLog
    let registry: Registry
    let records: Directory
    let actor: OrgActor
    let owner: AccountID
    let services: [ServiceID]
    let messages: CollectedLog

    init(_ fixture: WALFixture, policy: FsyncPolicy = .always, segmentBytes: Int = 64 << 10) async throws {
        configuration = WALConfiguration(fsync: policy, segmentBytesMax: segmentBytes)
        messages = CollectedLog()
        let messages = messages
        let logger = Logger(label: "fault") { _ in messages }
        let opened = try Storage.open(fixture.path, configuration: configuration, logger: logger)
        (directory, log) = (opened.directory, opened.log)
        recorder = RecordingLog(log)
        registry = Registry(log: recorder, clock: { Self.now })
        registry.restore(Array(opened.states.organizations.values))
        records = Directory(state: opened.states.directory, log: log)
        owner = AccountID.random()
        _ = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner)
        actor = registry.organization(slug: "acme")!
        var made: [ServiceID] = []
        for name in ["API", "Web", "Mail"] {
            let commit = try await actor.submit(
                .createService(name: name, description: "", status: .operational, groupID: nil, position: nil),
                by: .account(owner))
            guard case .serviceCreated(let service) = commit.events[0].change else { throw CancellationError() }
            made.append(service.id)
        }
        services = made
    }

    /// The registry's clock: fixed, so that runs of a workload write the same bytes.
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    var now: Date { Self.now }

    /// Opens an incident that takes the first service down.
    func openIncident() async throws -> IncidentID {
        let draft = IncidentDraft(
            name: "Outage", status: .investigating, impact: .major, body: "Looking into it",
            affected: [AffectedService(serviceID: services[0], status: .majorOutage)])
        let commit = try await actor.submit(.createIncident(draft), by: .account(owner))
        guard case .incidentCreated(let incident) = commit.events[0].change else { throw CancellationError() }
        return incident.id
    }

    func resolve(_ incident: IncidentID) async throws {
        _ = try await actor.submit(
            .postIncidentUpdate(incident, status: .resolved, body: "Fixed", affected: nil), by: .account(owner))
    }

    /// Moves one service to the status it is not in (never a no-op, so every call is a write).
    func flip(_ index: Int) async throws -> Commit {
        let service = services[index % services.count]
        let next: ServiceStatus =
            actor.view.state.services[service]?.status == .operational ? .majorOutage : .operational
        return try await actor.submit(.setServiceStatus(service, next), by: .account(owner))
    }

    func close() {
        log.close()
        directory.close()
    }
}

/// Keeps every log message, for tests that check what an operator would read.
final class CollectedLog: LogHandler, Sendable {
    private let lines = Mutex<[(Logger.Level, String)]>([])

    var critical: [String] { lines.withLock { $0.filter { $0.0 == .critical }.map(\.1) } }

    func log(event: LogEvent) {
        lines.withLock { $0.append((event.level, "\(event.message)")) }
    }

    subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
}
