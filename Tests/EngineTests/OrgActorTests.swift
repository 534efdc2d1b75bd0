import Engine
import Foundation
import HashTreeCollections
import Synchronization
import Testing

/// A log whose appends wait until the test lets them through, to observe what readers see meanwhile.
final class GatedLog: EventLog {
    private let state = Mutex<(records: [LogRecord], waiters: [CheckedContinuation<Void, Never>], failing: Bool)>(
        ([], [], false))

    func append(_ records: [LogRecord], isolation: isolated (any Actor)?) async throws -> LogPosition {
        // Take the records into order before suspending, as the EventLog contract asks.
        let position = state.withLock { state in
            state.records += records
            return LogPosition(UInt64(state.records.count))
        }
        await withCheckedContinuation(isolation: isolation) { continuation in
            state.withLock { $0.waiters.append(continuation) }
        }
        if state.withLock({ $0.failing }) { throw CancellationError() }
        return position
    }

    var pending: Int { state.withLock { $0.waiters.count } }
    var appendPosition: LogPosition { state.withLock { LogPosition(UInt64($0.records.count)) } }
    var records: [LogRecord] { state.withLock { $0.records } }

    /// Lets every waiting append complete, in the order they arrived.
    func release(failing: Bool = false) {
        let waiters = state.withLock { state in
            state.failing = failing
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func waitForPending(_ count: Int) async {
        while pending < count { await Task.yield() }
    }
}

/// invariants 2 to 4 (docs/ARCHITECTURE.md) at the actor: readers see only durable events, in seq order, without
/// queueing on the actor.
@Suite struct OrgActorTests {
    static func created(log: any EventLog) async throws -> (OrgActor, AccountID) {
        let owner = AccountID.random()
        let actor = OrgActor(state: OrgState(id: .random()), log: log)
        _ = try await actor.submit(
            .createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner), by: .account(owner))
        return (actor, owner)
    }

    /// An organization created through `log`, its creation let through.
    static func created(gated log: GatedLog) async throws -> (OrgActor, AccountID) {
        let owner = AccountID.random()
        let actor = OrgActor(state: OrgState(id: .random()), log: log)
        async let creation = actor.submit(
            .createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner), by: .account(owner))
        await log.waitForPending(1)
        log.release()
        _ = try await creation
        return (actor, owner)
    }

    @Test func view_showsNothingUntilTheAppendIsDurable() async throws {
        let log = GatedLog()
        let owner = AccountID.random()
        let actor = OrgActor(state: OrgState(id: .random()), log: log)
        async let creation = actor.submit(
            .createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner), by: .account(owner))
        await log.waitForPending(1)
        #expect(log.records.count == 1, "the event is in the log")
        #expect(actor.view.state.exists == false, "but readers do not see it before it is durable")
        #expect(actor.view.state.seq == .zero)
        log.release()
        let commit = try await creation
        #expect(commit.seq == Seq(1))
        #expect(actor.view.state.exists)
    }

    @Test func readsDoNotWaitForAnInFlightWrite() async throws {
        let log = GatedLog()
        let owner = AccountID.random()
        let actor = OrgActor(state: OrgState(id: .random()), log: log)
        async let creation = actor.submit(
            .createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner), by: .account(owner))
        await log.waitForPending(1)
        // The actor is suspended in an append; a read is a nonisolated pointer load and returns now.
        for _ in 0..<1_000 { _ = actor.view.state.seq }
        log.release()
        _ = try await creation
    }

    @Test func concurrentWrites_publishGapFreeSeqsInOrder() async throws {
        let seen = Mutex<[Seq]>([])
        let owner = AccountID.random()
        let actor = OrgActor(
            state: OrgState(id: .random()), log: InMemoryEventLog(),
            onPublish: { view, events in
                seen.withLock { seen in
                    for event in events { seen.append(event.seq) }
                    precondition(view.state.seq == events.last?.seq)
                }
            })
        _ = try await actor.submit(
            .createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner), by: .account(owner))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<64 {
                group.addTask {
                    _ = try await actor.submit(
                        .createService(
                            name: "S\(index)", description: "", status: .operational, groupID: nil, position: nil),
                        by: .account(owner))
                }
            }
            try await group.waitForAll()
        }
        #expect(seen.withLock { $0 } == (1...65).map { Seq(UInt64($0)) })
        #expect(actor.view.state.services.count == 64)
    }

    @Test func laterAppendCompletingFirst_publishesEverythingBeforeIt() async throws {
        let log = GatedLog()
        let (actor, owner) = try await Self.created(gated: log)
        async let first = actor.submit(
            .createService(name: "A", description: "", status: .operational, groupID: nil, position: nil),
            by: .account(owner))
        async let second = actor.submit(
            .createService(name: "B", description: "", status: .operational, groupID: nil, position: nil),
            by: .account(owner))
        await log.waitForPending(2)
        log.release()
        let seqs = try await [first.seq, second.seq].sorted()
        #expect(seqs == [Seq(2), Seq(3)])
        #expect(actor.view.state.seq == Seq(3))
    }

    @Test func failedLog_stopsWrites_readsGoOn() async throws {
        let log = GatedLog()
        let owner = AccountID.random()
        let actor = OrgActor(state: OrgState(id: .random()), log: log)
        let creation = Task {
            try await actor.submit(
                .createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner), by: .account(owner))
        }
        await log.waitForPending(1)
        log.release(failing: true)
        await #expect(throws: EngineError.self) { try await creation.value }
        let error = await { () async -> EngineError? in
            do {
                _ = try await actor.submit(.deleteOrganization, by: .account(owner))
                return nil
            } catch { return error as? EngineError }
        }()
        #expect(error?.code == .unavailable)
        #expect(actor.view.state.seq == .zero, "nothing a crash could undo was published")
    }

    @Test func noOpCommand_appendsNothing() async throws {
        let log = InMemoryEventLog()
        let (actor, owner) = try await Self.created(log: log)
        let commit = try await actor.submit(.updateOrganization(OrgPatch(name: "Acme")), by: .account(owner))
        #expect(commit.events.isEmpty)
        #expect(log.all.count == 1)
    }
}
