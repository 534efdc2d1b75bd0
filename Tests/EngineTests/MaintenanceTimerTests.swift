import Engine
import Foundation
import HashTreeCollections
import Testing

/// Windows with `auto_start`/`auto_complete` move at their boundaries, by an event.
@Suite struct MaintenanceTimerTests {
    static func scheduled(_ fixture: inout Fixture, _ api: ServiceID) throws -> Maintenance {
        let changes = try fixture.run(
            .scheduleMaintenance(
                MaintenanceDetails(
                    name: "Upgrade", description: "", scheduledStart: fixture.now + 60, scheduledEnd: fixture.now + 120,
                    affected: [api])))
        guard case .maintenanceScheduled(let window) = changes.first else { fatalError("not scheduled") }
        return window
    }

    @Test func advance_beforeStart_doesNothing() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let window = try Self.scheduled(&fixture, api)
        #expect(fixture.state.nextDeadline == window.scheduledStart)
        #expect(try fixture.run(.advanceMaintenance, by: .system).isEmpty)
    }

    @Test func advance_atStartThenEnd_movesAndRestores() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let window = try Self.scheduled(&fixture, api)
        fixture.advance(60)
        try fixture.run(.advanceMaintenance, by: .system)
        #expect(fixture.state.maintenance[window.id]?.status == .inProgress)
        #expect(fixture.status(api) == .underMaintenance)
        #expect(fixture.state.nextDeadline == window.scheduledEnd)
        fixture.advance(60)
        try fixture.run(.advanceMaintenance, by: .system)
        #expect(fixture.state.maintenance[window.id]?.status == .completed)
        #expect(fixture.status(api) == .operational)
        #expect(fixture.state.nextDeadline == nil)
    }

    @Test func advance_afterWholeWindowPassed_startsAndCompletesInOneGo() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let window = try Self.scheduled(&fixture, api)
        fixture.advance(3600)
        try fixture.run(.advanceMaintenance, by: .system)
        #expect(fixture.state.maintenance[window.id]?.status == .completed)
        #expect(fixture.status(api) == .operational)
        #expect(fixture.state.maintenance[window.id]?.updates.map(\.status) == [.inProgress, .completed])
    }

    @Test func advance_byAPerson_isForbidden() throws {
        var fixture = try Fixture()
        #expect(engineError { try fixture.run(.advanceMaintenance) }?.code == .forbidden)
    }

    @Test func edit_afterStart_refusesNewTimes() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let window = try Self.scheduled(&fixture, api)
        fixture.advance(60)
        try fixture.run(.advanceMaintenance, by: .system)
        let error = engineError {
            try fixture.run(.editMaintenance(window.id, MaintenancePatch(scheduledEnd: fixture.now + 999)))
        }
        #expect(error?.code == .conflict)
        try fixture.run(.editMaintenance(window.id, MaintenancePatch(name: "Upgrade (extended)")))
        #expect(fixture.state.maintenance[window.id]?.name == "Upgrade (extended)")
    }
}
