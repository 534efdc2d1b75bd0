import Engine
import Foundation
import HashTreeCollections
import Logging
import NIOCore
import Synchronization
import Testing

@testable import Persistence

/// A clock the test moves by hand: 200 days of history in a moment.
final class ManualClock: Sendable {
    private let instant = Mutex(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01 UTC

    var now: Date { instant.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { instant.withLock { $0 += seconds } }
}

/// The history archive: items move there only once durable, and the history reads page through memory
/// and archive as one newest-first list, across restarts, torn tails and repeated blocks.
@Suite struct ArchiveTests {
    static let day: TimeInterval = 86_400
    static let logger = Logger(label: "test")

    /// A live organization over a real log in `fixture`, with 40 incidents five days apart (each
    /// resolved an hour after it opened), six completed maintenance windows a month apart, and one
    /// incident still open: 200 days, so about half of it is older than the 90-day window.
    struct Scenario {
        let fixture = WALFixture()
        let clock = ManualClock()
        let directory: DataDirectory
        let log: FileEventLog
        let registry: Registry
        let org: OrgActor
        let archive: HistoryArchive

        init() async throws {
            (directory, log, _) = try Storage.open(
                fixture.path, configuration: WALConfiguration(fsync: .always), logger: ArchiveTests.logger)
            let clock = clock
            registry = Registry(log: log, clock: { clock.now })
            _ = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: .random())
            org = registry.organization(slug: "acme")!
            archive = try HistoryArchive(directory: directory, logger: ArchiveTests.logger)
            let created = try await run(
                .createService(name: "API", description: "", status: .operational, groupID: nil, position: nil))
            guard case .serviceCreated(let api) = created.first?.change else { fatalError("no service") }
            for index in 0..<40 {
                clock.advance(5 * ArchiveTests.day)
                let draft = IncidentDraft(
                    name: "Outage \(index)", status: .investigating, impact: .major, body: "Looking",
                    affected: [AffectedService(serviceID: api.id, status: .majorOutage)])
                guard case .incidentCreated(let incident) = try await run(.createIncident(draft)).first?.change else {
                    fatalError("no incident")
                }
                clock.advance(3_600)
                _ = try await run(.postIncidentUpdate(incident.id, status: .resolved, body: "Fixed", affected: nil))
                if index % 6 == 0 {
                    let details = MaintenanceDetails(
                        name: "Upgrade \(index)", description: "", scheduledStart: clock.now + 60,
                        scheduledEnd: clock.now + 120, affected: [api.id])
                    _ = try await run(.scheduleMaintenance(details))
                    clock.advance(60)
                    await registry.advanceDueMaintenance(now: clock.now)
                    clock.advance(60)
                    await registry.advanceDueMaintenance(now: clock.now)
                }
            }
            let draft = IncidentDraft(name: "Now", status: .identified, impact: .minor, body: "Slow", affected: [])
            _ = try await run(.createIncident(draft))
        }

        @discardableResult
        func run(_ command: OrgCommand) async throws -> [OrgEvent] {
            try await registry.submit(command, to: org, by: .system).events
        }

        var state: OrgState { org.view.state }

        func close() {
            log.close()
            directory.close()
        }
    }

    /// Every item, newest first, read page by page.
    static func allIncidents(_ archive: HistoryArchive, _ state: OrgState, limit: Int) throws -> [Incident] {
        var all: [Incident] = []
        var cursor: HistoryCursor<Incident>? = nil
        repeat {
            let page = try archive.incidents(of: state.id, memory: state.incidents.values, after: cursor, limit: limit)
            #expect(page.items.count <= limit)
            all += page.items
            cursor = page.next
        } while cursor != nil
        return all
    }

    static func newestFirst<Item: HistoryItem>(_ items: some Sequence<Item>) -> [Item.ID] {
        items.sorted { ($0.listedAt, $0.id) > ($1.listedAt, $1.id) }.map(\.id)
    }

    @Test func pagesReadAcrossTheWindowBoundary_asOneList() async throws {
        let scenario = try await Scenario()
        defer { scenario.close() }
        let before = scenario.state
        #expect(await scenario.archive.archiveDue(in: scenario.registry, now: scenario.clock.now) == 1)
        let after = scenario.state
        let counts = try scenario.archive.counts(of: after.id)
        #expect(counts.incidents > 10 && after.incidents.count > 10, "both sides of the window hold incidents")
        #expect(counts.incidents + after.incidents.count == 41)
        #expect(counts.maintenance > 0 && counts.maintenance + after.maintenance.count == 7)
        #expect(
            after.incidents.values.allSatisfy {
                $0.resolvedAt == nil || $0.resolvedAt! >= scenario.clock.now - 91 * Self.day
            })

        let expected = Self.newestFirst(before.incidents.values)
        for limit in [1, 7, 40, 100] {
            #expect(
                try Self.allIncidents(scenario.archive, after, limit: limit).map(\.id) == expected, "limit \(limit)")
        }
        let resolved = try scenario.archive.incidents(
            of: after.id, memory: after.incidents.values, after: nil, limit: 100
        ) { $0.status == .resolved }
        #expect(resolved.items.count == 40 && resolved.next == nil)
        var windows: [Maintenance] = []
        var cursor: HistoryCursor<Maintenance>? = nil
        repeat {
            let page = try scenario.archive.maintenance(
                of: after.id, memory: after.maintenance.values, after: cursor, limit: 2)
            windows += page.items
            cursor = page.next
        } while cursor != nil
        #expect(windows.map(\.id) == Self.newestFirst(before.maintenance.values))
        let old = try #require(before.incidents.values.min { $0.createdAt < $1.createdAt })
        #expect(after.incidents[old.id] == nil)
        #expect(try scenario.archive.incident(old.id, of: after.id) == old, "the permalink of an archived incident")
        #expect(await scenario.archive.archiveDue(in: scenario.registry, now: scenario.clock.now) == 0, "nothing twice")
    }

    @Test func crashBetweenBlockAndEvent_leavesRepeats_thatReadsDrop() async throws {
        let scenario = try await Scenario()
        defer { scenario.close() }
        let before = scenario.state
        // The block is durable but the organization never logged the move (a crash in between)...
        try scenario.archive.append(before.archivableHistory(at: scenario.clock.now), of: before.id)
        // ...so the next pass writes the same items again, then logs the move.
        #expect(await scenario.archive.archiveDue(in: scenario.registry, now: scenario.clock.now) == 1)
        let expected = Self.newestFirst(before.incidents.values)
        #expect(try Self.allIncidents(scenario.archive, scenario.state, limit: 7).map(\.id) == expected)
        #expect(try Self.allIncidents(scenario.archive, before, limit: 5).map(\.id) == expected, "memory and archive")
    }

    @Test func restart_servesTheSameHistory() async throws {
        let scenario = try await Scenario()
        let before = scenario.state
        await scenario.archive.archiveDue(in: scenario.registry, now: scenario.clock.now)
        let archived = scenario.state
        scenario.close()

        let (directory, log, states) = try Storage.open(
            scenario.fixture.path, configuration: WALConfiguration(fsync: .always), logger: Self.logger)
        defer {
            log.close()
            directory.close()
        }
        let recovered = try #require(states.organizations[before.id])
        #expect(recovered == archived, "the move is an event: replay forgets the same items")
        let archive = try HistoryArchive(directory: directory, logger: Self.logger)
        #expect(
            try Self.allIncidents(archive, recovered, limit: 6).map(\.id) == Self.newestFirst(before.incidents.values))
    }

    @Test func tornTail_isIgnored_thenCutByTheNextAppend() async throws {
        let scenario = try await Scenario()
        defer { scenario.close() }
        let before = scenario.state
        await scenario.archive.archiveDue(in: scenario.registry, now: scenario.clock.now)
        let file = scenario.archive.path + "/" + ArchiveFormat.fileName(before.id)
        let whole = try scenario.fixture.bytes(of: file)
        let lastBlock = try #require(try scenario.archive.index(of: before.id).blocks.last)
        // A copy of the last block, cut at every few bytes, as if a later append was torn there.
        let torn = Array(whole[lastBlock.offset..<lastBlock.end])
        for cut in stride(from: 1, to: torn.count, by: max(1, torn.count / 9)) {
            try scenario.fixture.overwrite(file, with: whole + torn.prefix(cut))
            let reopened = try HistoryArchive(path: scenario.archive.path, logger: Self.logger)
            #expect(try reopened.index(of: before.id).blocks.count == 2, "cut at \(cut)")
            #expect(try reopened.index(of: before.id).tornBytes == cut)
            #expect(
                try Self.allIncidents(reopened, scenario.state, limit: 9).map(\.id)
                    == Self.newestFirst(before.incidents.values))
        }
        let reopened = try HistoryArchive(path: scenario.archive.path, logger: Self.logger)
        let previously = try reopened.counts(of: before.id).incidents
        let later = scenario.clock.now + 200 * Self.day
        let state = scenario.state
        let adding = state.archivableHistory(at: later)
        #expect(!adding.incidents.isEmpty)
        try reopened.append(adding, of: state.id)
        #expect(FileManager.default.fileExists(atPath: file + ".broken"), "the torn bytes are kept for a person")
        let again = try HistoryArchive(path: scenario.archive.path, logger: Self.logger)
        #expect(try again.index(of: state.id).tornBytes == 0)
        #expect(try again.counts(of: state.id).incidents == previously + adding.incidents.count)
        #expect(try Self.allIncidents(again, state, limit: 8).map(\.id) == Self.newestFirst(before.incidents.values))
    }

    @Test func damagedBlock_isSkippedLoudly_andTheRestIsServed() async throws {
        let scenario = try await Scenario()
        defer { scenario.close() }
        await scenario.archive.archiveDue(in: scenario.registry, now: scenario.clock.now)
        let state = scenario.state
        let file = scenario.archive.path + "/" + ArchiveFormat.fileName(state.id)
        let blocks = try scenario.archive.index(of: state.id).blocks
        let incidents = try #require(blocks.first { $0.kind == .incidents })
        var bytes = try scenario.fixture.bytes(of: file)
        bytes[incidents.offset + ArchiveFormat.blockHeaderBytes + 5] ^= 0x40
        try scenario.fixture.overwrite(file, with: bytes)
        let reopened = try HistoryArchive(path: scenario.archive.path, logger: Self.logger)
        #expect(try reopened.counts(of: state.id).incidents == 0)
        #expect(
            try reopened.counts(of: state.id).maintenance == (try scenario.archive.counts(of: state.id).maintenance))
        #expect(try Self.allIncidents(reopened, state, limit: 10).map(\.id) == Self.newestFirst(state.incidents.values))
    }

    @Test func newerFormat_isRefusedByName() throws {
        let fixture = WALFixture()
        let archive = try HistoryArchive(path: fixture.path + "/archive", logger: Self.logger)
        let org = OrgID.random()
        var header = ByteBuffer()
        header.writeBytes(ArchiveFormat.magic)
        header.writeWALInteger(UInt16(2))
        header.writeWALInteger(UInt16(0))
        header.writeWALInteger(header.withUnsafeReadableBytes { CRC32C.checksum($0) })
        try fixture.overwrite(archive.path + "/" + ArchiveFormat.fileName(org), with: Array(header.readableBytesView))
        #expect(throws: PersistenceError.self) { try archive.counts(of: org) }
        do {
            _ = try archive.counts(of: org)
        } catch let error as PersistenceError {
            #expect(error.code == .unsupportedVersion(found: 2, supported: 1))
            #expect(error.path.hasSuffix(ArchiveFormat.fileName(org)))
        }
    }

    @Test func deletedOrganization_losesItsArchive() async throws {
        let scenario = try await Scenario()
        defer { scenario.close() }
        await scenario.archive.archiveDue(in: scenario.registry, now: scenario.clock.now)
        let id = scenario.state.id
        #expect(try scenario.archive.organizations() == [id])
        try await scenario.run(.deleteOrganization)
        await scenario.archive.archiveDue(in: scenario.registry, now: scenario.clock.now)
        #expect(try scenario.archive.organizations().isEmpty)
    }
}
