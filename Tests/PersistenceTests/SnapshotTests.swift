import Engine
import Foundation
import HashTreeCollections
import Logging
import NIOCore
import Testing

@testable import Persistence

/// Snapshots: exact round trips, fallback past damage, refusal of newer formats, replay after them,
/// and captures taken while writes run.
@Suite struct SnapshotTests {
    /// A state with one of everything, from the sample events (without the final deletion).
    static var sampleOrg: OrgState {
        var state = OrgState(id: SampleRecords.org)
        for case .organization(_, let event) in SampleRecords.records where event.change != .organizationDeleted {
            state.evolve(event)
        }
        return state
    }

    static var sampleDirectory: DirectoryState {
        var state = DirectoryState()
        for case .directory(let event) in SampleRecords.records { state.evolve(event) }
        return state
    }

    static var sampleCapture: SnapshotCapture {
        SnapshotCapture(
            replayFrom: LogPosition(7), logEnd: LogPosition(9), directory: sampleDirectory, organizations: [sampleOrg])
    }

    @Test func file_roundTripsEveryField() throws {
        let decoded = try SnapshotFile.decode(ByteBuffer(bytes: SnapshotFile.encode(Self.sampleCapture)))
        #expect(decoded.organizations == [Self.sampleOrg])
        #expect(decoded.directory == Self.sampleDirectory)
        #expect(decoded.replayFrom == LogPosition(7) && decoded.logEnd == LogPosition(9))
        #expect(Self.sampleOrg.statusHistory.values.reduce(0) { $0 + $1.count } > 0, "the sample carries history")
        #expect(!Self.sampleOrg.claims.isEmpty || !Self.sampleOrg.incidents.isEmpty)
    }

    /// Format version 2: the verified custom domain is kept (version 1 files have none, see the golden test).
    @Test func verifiedDomain_roundTrips() throws {
        var state = Self.sampleOrg
        var settings = state.settings
        settings.customDomain = "status.acme.example"
        for change in [OrgChange.organizationUpdated(settings), .customDomainVerified("status.acme.example")] {
            state.evolve(OrgEvent(seq: state.seq.next, at: SampleRecords.at, by: .system, change: change))
        }
        #expect(state.servedDomain == "status.acme.example")
        let capture = SnapshotCapture(
            replayFrom: LogPosition(7), logEnd: LogPosition(9), directory: Self.sampleDirectory, organizations: [state])
        let decoded = try SnapshotFile.decode(ByteBuffer(bytes: SnapshotFile.encode(capture)))
        #expect(decoded.organizations == [state])
        #expect(decoded.organizations.first?.servedDomain == "status.acme.example")
    }

    @Test func lz4Frame_roundTrips_andDetectsDamage() throws {
        let bytes = (0..<100_000).map { UInt8(($0 * 7) % 13) }
        var frame = try LZ4Frame.compress(bytes)
        #expect(frame.count < bytes.count / 4)
        #expect(try LZ4Frame.decompress(frame) == ByteBuffer(bytes: bytes))
        frame[frame.count / 2] ^= 0xFF
        #expect(throws: LZ4Frame.Failure.self) { try LZ4Frame.decompress(frame) }
        #expect(throws: LZ4Frame.Failure.self) { try LZ4Frame.decompress(Array(frame.prefix(20))) }
    }

    @Test func corruptNewest_isRenamedBroken_andThePreviousOneLoads() throws {
        let fixture = WALFixture()
        let store = SnapshotStore(path: fixture.path + "/snapshots")
        let older = SnapshotCapture(
            replayFrom: LogPosition(1), logEnd: LogPosition(1), directory: DirectoryState(), organizations: [])
        try store.write(older)
        let newest = try store.write(Self.sampleCapture)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: newest.path)))
        bytes[bytes.count - 6] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: newest.path))
        let loaded = try store.loadNewest(logger: Logger(label: "test"))
        #expect(loaded?.replayFrom == LogPosition(1))
        #expect(FileManager.default.fileExists(atPath: newest.path + ".broken"))
        #expect(try store.list().count == 1)
    }

    @Test func newerFormat_isRefusedByName_notSkipped() throws {
        let fixture = WALFixture()
        let store = SnapshotStore(path: fixture.path + "/snapshots")
        var payload = SnapshotFile.encode(Self.sampleCapture)
        payload[8] = UInt8(SnapshotFile.versionCurrent + 1)
        try FileManager.default.createDirectory(atPath: store.path, withIntermediateDirectories: true)
        try Data(try LZ4Frame.compress(payload)).write(
            to: URL(fileURLWithPath: store.path + "/snapshot-0000000000000007.lz4"))
        do {
            _ = try store.loadNewest(logger: Logger(label: "test"))
            Issue.record("a newer snapshot was loaded or skipped")
        } catch let error as PersistenceError {
            let newer = Int(SnapshotFile.versionCurrent) + 1
            #expect(error.code == .unsupportedVersion(found: newer, supported: Int(SnapshotFile.versionCurrent)))
            #expect(error.detail.contains("newer"))
        }
    }

    @Test func goldenSnapshotV1_loadsForever() throws {
        let golden = GoldenFileTests.root.appendingPathComponent("snapshots/snapshot-v1/snapshot-0000000000000007.lz4")
        if ProcessInfo.processInfo.environment["STATUSD_WRITE_GOLDEN"] == "1" {
            let store = SnapshotStore(path: golden.deletingLastPathComponent().path)
            try store.write(Self.sampleCapture)
        }
        let loaded = try SnapshotStore.read(golden.path)
        #expect(loaded.organizations == [Self.sampleOrg])
        #expect(loaded.directory == Self.sampleDirectory)
    }
}

/// Recovery from snapshot plus log, through the same path statusd takes.
@Suite struct SnapshotRecoveryTests {
    static func configuration() -> WALConfiguration { WALConfiguration(fsync: .always, segmentBytesMax: 16 << 10) }

    /// Flips `writers` services concurrently for `rounds` commands each.
    static func write(_ registry: Registry, writers: Int, rounds: Int) async throws {
        let actor = registry.all[0]
        let owner = actor.view.state.members.values.first!.accountID
        var services: [ServiceID] = []
        for index in 0..<writers {
            let commit = try await registry.submit(
                .createService(name: "S\(index)", description: "", status: .operational, groupID: nil, position: nil),
                to: actor, by: .account(owner))
            if case .serviceCreated(let service) = commit.events[0].change { services.append(service.id) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services {
                group.addTask {
                    for round in 0..<rounds {
                        _ = try await actor.submit(
                            .setServiceStatus(service, round % 2 == 0 ? .majorOutage : .operational),
                            by: .account(owner))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func snapshotsTakenDuringWrites_restoreExactlyTheAcknowledgedState() async throws {
        let fixture = WALFixture()
        let (dataDirectory, log, _) = try Storage.open(
            fixture.path, configuration: Self.configuration(), logger: Logger(label: "test"))
        let registry = Registry(log: log)
        let directory = Directory(log: log)
        _ = try await directory.submit(.signUp(email: "a@example.com", name: "A", passwordHash: [1]))
        _ = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: .random())
        let store = SnapshotStore(dataDirectory: dataDirectory)
        async let writes: Void = Self.write(registry, writers: 16, rounds: 60)
        var taken = 0
        for _ in 0..<8 {
            try store.write(registry.capture(log: log, directory: directory))
            if let oldest = try store.prune() { try log.trim(before: oldest) }
            taken += 1
            try await Task.sleep(for: .milliseconds(20))
        }
        try await writes
        let acknowledged = registry.all[0].view.state
        log.close()
        dataDirectory.close()
        #expect(taken == 8)
        #expect(try store.list().count == 2, "two snapshots kept")

        let (reopenedDirectory, reopened, states) = try Storage.open(
            fixture.path, configuration: Self.configuration(), logger: Logger(label: "test"))
        defer {
            reopened.close()
            reopenedDirectory.close()
        }
        #expect(states.snapshot != nil)
        #expect(states.organizations[acknowledged.id] == acknowledged, "exactly the acknowledged state")
        #expect(states.directory.account(email: "a@example.com") != nil)
        #expect(states.skipped > 0 || states.records < 16 * 60, "the snapshot spared part of the replay")
    }

    @Test func logWithoutTheSnapshotsItsStartNeeds_isRefused() async throws {
        let fixture = WALFixture()
        let (dataDirectory, log, _) = try Storage.open(
            fixture.path, configuration: Self.configuration(), logger: Logger(label: "test"))
        let registry = Registry(log: log)
        let directory = Directory(log: log)
        _ = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: .random())
        try await Self.write(registry, writers: 4, rounds: 100)
        let store = SnapshotStore(dataDirectory: dataDirectory)
        try store.write(registry.capture(log: log, directory: directory))
        try store.write(registry.capture(log: log, directory: directory))
        try await Self.write(registry, writers: 4, rounds: 100)
        try store.write(registry.capture(log: log, directory: directory))
        let trimmed = try log.trim(before: try #require(try store.prune()))
        log.close()
        dataDirectory.close()
        #expect(trimmed > 0, "segments behind the older snapshot were deleted")
        let (againDirectory, again, _) = try Storage.open(
            fixture.path, configuration: Self.configuration(), logger: Logger(label: "test"))
        again.close()
        againDirectory.close()
        for (_, file) in try SnapshotStore(path: fixture.path + "/snapshots").list() {
            try FileManager.default.removeItem(atPath: file)
        }
        do {
            _ = try Storage.open(fixture.path, configuration: Self.configuration(), logger: Logger(label: "test"))
            Issue.record("a log missing its start was accepted without a snapshot")
        } catch let error as PersistenceError {
            #expect(error.code == .corrupt)
            #expect(error.detail.contains("no snapshot covers"))
        }
    }
}
