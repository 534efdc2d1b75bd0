import Engine
import Foundation
import HashTreeCollections
import Testing

/// Idempotency-Keys at the actor: a command sent again under its key is answered with what it wrote
/// the first time and applied once; the key is part of the organization's stream, so a state rebuilt
/// from the log remembers it.
@Suite struct KeyedCommandTests {
    static func draft(_ name: String) -> OrgCommand {
        .createIncident(IncidentDraft(name: name, status: .investigating, impact: .minor, body: "b", affected: []))
    }

    static func key(_ text: String, _ fingerprint: String = "POST /api/incidents") -> CommandKey {
        CommandKey(key: text, fingerprint: fingerprint)!
    }

    @Test func keys_mustBeVisibleASCII_ofAtMost255Bytes() {
        #expect(CommandKey(key: "", fingerprint: "f") == nil)
        #expect(CommandKey(key: "has space", fingerprint: "f") == nil)
        #expect(CommandKey(key: "é", fingerprint: "f") == nil)
        #expect(CommandKey(key: String(repeating: "k", count: 256), fingerprint: "f") == nil)
        #expect(CommandKey(key: String(repeating: "k", count: 255), fingerprint: "f") != nil)
        #expect(CommandKey(key: "7f9c1b2e-retry", fingerprint: "f")?.step(2).key == "7f9c1b2e-retry#2")
    }

    @Test func aKeyedCommandSentTwice_isAppliedOnce_andAnsweredWithItsFirstEvents() async throws {
        let log = InMemoryEventLog()
        let (actor, owner) = try await OrgActorTests.created(log: log)
        let first = try await actor.submit(Self.draft("Outage"), by: .account(owner), key: Self.key("k1"))
        let again = try await actor.submit(Self.draft("Outage"), by: .account(owner), key: Self.key("k1"))
        #expect(!first.replayed)
        #expect(again.replayed)
        #expect(again.events == first.events)
        #expect(actor.view.state.incidents.count == 1)
        #expect(again.seq == actor.view.state.seq, "nothing was appended")
        let other = try await actor.submit(Self.draft("Outage"), by: .account(owner), key: Self.key("k2"))
        #expect(!other.replayed)
        #expect(actor.view.state.incidents.count == 2)
    }

    @Test func aKeyReusedForAnotherRequest_isRefused() async throws {
        let (actor, owner) = try await OrgActorTests.created(log: InMemoryEventLog())
        _ = try await actor.submit(Self.draft("Outage"), by: .account(owner), key: Self.key("k"))
        let error = await #expect(throws: EngineError.self) {
            try await actor.submit(
                Self.draft("Other"), by: .account(owner), key: Self.key("k", "POST /api/services"))
        }
        #expect(error?.code == .invalid)
        #expect(actor.view.state.incidents.count == 1)
    }

    @Test func aKeyWhoseCommandIsStillBeingWritten_answersConflict_thenTheFirstOutcome() async throws {
        let log = GatedLog()
        let (actor, owner) = try await OrgActorTests.created(gated: log)
        async let first = actor.submit(Self.draft("Outage"), by: .account(owner), key: Self.key("k"))
        await log.waitForPending(1)
        let error = await #expect(throws: EngineError.self) {
            try await actor.submit(Self.draft("Outage"), by: .account(owner), key: Self.key("k"))
        }
        #expect(error?.code == .conflict)
        log.release()
        let written = try await first
        let again = try await actor.submit(Self.draft("Outage"), by: .account(owner), key: Self.key("k"))
        #expect(again.replayed && again.events == written.events)
    }

    @Test func aRefusedCommand_leavesNoKey() async throws {
        let (actor, owner) = try await OrgActorTests.created(log: InMemoryEventLog())
        let missing = IncidentID.random()
        for _ in 0..<2 {
            await #expect(throws: EngineError.self) {
                try await actor.submit(
                    .deleteIncident(missing), by: .account(owner), key: Self.key("k", "DELETE /api/incidents/x"))
            }
        }
        #expect(actor.view.state.keyedCommands.isEmpty)
    }

    @Test func theLog_rebuildsTheKeys_andAKeyIsForgottenAfterADay() async throws {
        let log = InMemoryEventLog()
        let (actor, owner) = try await OrgActorTests.created(log: log)
        _ = try await actor.submit(Self.draft("Outage"), by: .account(owner), key: Self.key("k"))
        var rebuilt = OrgState(id: actor.id)
        for case .organization(_, let event) in log.all { rebuilt.evolve(event) }
        #expect(rebuilt.keyedCommands == actor.view.state.keyedCommands)
        #expect(rebuilt.keyedCommands["k"]?.events.count == 2, "the incident and the page status it moved")

        let later = rebuilt.seq.next
        let dayAfter = rebuilt.keyedCommands["k"]!.at.addingTimeInterval(24 * 3600 + 1)
        rebuilt.evolve(
            OrgEvent(seq: later, at: dayAfter, by: .account(owner), change: .commandKeyed(Self.key("k2"), events: 0)))
        #expect(rebuilt.keyedCommands["k"] == nil)
        #expect(rebuilt.keyedCommands["k2"] != nil)
    }
}
