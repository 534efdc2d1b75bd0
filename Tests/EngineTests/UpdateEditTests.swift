import Engine
import Foundation
import HashTreeCollections
import Testing

/// Correcting the text of a posted update (Statuspage's `PATCH .../incident_updates/{id}`): the text
/// changes, the status, time and order of the timeline do not, and a replay gives the same state.
@Suite struct UpdateEditTests {
    @Test func incidentUpdate_textChanges_restStays() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let id = try fixture.incident([api: .majorOutage])
        fixture.advance(60)
        try fixture.run(.postIncidentUpdate(id, status: .monitoring, body: "Fixd", affected: nil))
        let before = try #require(fixture.state.incidents[id])
        let typo = before.updates[1]
        fixture.advance(60)
        let changes = try fixture.run(.editIncidentUpdate(id, typo.id, body: "  Fixed.  "))
        #expect(changes.count == 1, "one event, and no page status change")
        let after = try #require(fixture.state.incidents[id])
        #expect(after.updates.map(\.body) == ["Looking into it", "Fixed."], "trimmed as any body")
        #expect(after.updates.map(\.status) == before.updates.map(\.status))
        #expect(after.updates.map(\.createdAt) == before.updates.map(\.createdAt))
        #expect(after.status == .monitoring && after.updatedAt == fixture.now)
        #expect(fixture.status(api) == .majorOutage, "services untouched")
        #expect(try fixture.run(.editIncidentUpdate(id, typo.id, body: "Fixed.")).isEmpty, "the same text: nothing")
        #expect(fixture.replayed().incidents[id] == after)
    }

    @Test func incidentUpdate_refusals() throws {
        var fixture = try Fixture()
        let id = try fixture.incident([:])
        let update = try #require(fixture.state.incidents[id]?.updates.first?.id)
        #expect(engineError { try fixture.run(.editIncidentUpdate(id, .random(), body: "x")) }?.code == .notFound)
        #expect(engineError { try fixture.run(.editIncidentUpdate(.random(), update, body: "x")) }?.code == .notFound)
        #expect(engineError { try fixture.run(.editIncidentUpdate(id, update, body: "   ")) }?.code == .invalid)
        let viewer = try viewerKey(&fixture)
        #expect(
            engineError { try fixture.run(.editIncidentUpdate(id, update, body: "x"), by: viewer) }?.code == .forbidden)
    }

    @Test func maintenanceUpdate_textChanges() throws {
        var fixture = try Fixture()
        let db = try fixture.service("DB")
        let details = MaintenanceDetails(
            name: "Upgrade", description: "", scheduledStart: fixture.now + 3_600, scheduledEnd: fixture.now + 7_200,
            affected: [db], autoStart: true, autoComplete: true)
        guard case .maintenanceScheduled(let window) = try fixture.run(.scheduleMaintenance(details)).first else {
            Issue.record("no window")
            return
        }
        try fixture.run(.setMaintenanceStatus(window.id, .inProgress, body: "Strated"))
        let update = try #require(fixture.state.maintenance[window.id]?.updates.first)
        try fixture.run(.editMaintenanceUpdate(window.id, update.id, body: "Started"))
        let after = try #require(fixture.state.maintenance[window.id])
        #expect(after.updates.map(\.body) == ["Started"] && after.status == .inProgress)
        #expect(fixture.status(db) == .underMaintenance)
        #expect(
            engineError { try fixture.run(.editMaintenanceUpdate(window.id, .random(), body: "x")) }?.code == .notFound)
        #expect(fixture.replayed().maintenance[window.id] == after)
    }

    private func viewerKey(_ fixture: inout Fixture) throws -> Principal {
        let made = try fixture.run(.createKey(name: "read", role: .viewer, secretHash: [1])).compactMap {
            if case .keyCreated(let key) = $0 { key.id } else { nil }
        }
        return .apiKey(try #require(made.first))
    }
}
