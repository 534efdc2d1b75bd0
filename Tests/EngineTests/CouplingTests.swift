import Engine
import Foundation
import HashTreeCollections
import Testing

/// docs/RULES.md "Coupling": incidents and maintenance set statuses with a reason and restore them
/// only where the status is still theirs.
@Suite struct CouplingTests {
    @Test func incident_setsStatus_andRestoresOnResolve() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API", status: .degradedPerformance)
        let incident = try fixture.incident([api: .majorOutage])
        #expect(fixture.status(api) == .majorOutage)
        #expect(fixture.state.services[api]?.statusReason == .incident(incident))
        try fixture.resolve(incident)
        #expect(fixture.status(api) == .degradedPerformance)
        let history = fixture.state.statusHistory[api]!.map(\.reason)
        #expect(
            history == [.created, .incident(incident), .restoredAfterIncident(incident)],
            "each restore is a history entry")
        #expect(fixture.state.claims.isEmpty)
    }

    @Test func manualChange_winsOverRestore() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let incident = try fixture.incident([api: .majorOutage])
        try fixture.run(.setServiceStatus(api, .partialOutage))
        try fixture.resolve(incident)
        #expect(fixture.status(api) == .partialOutage)
    }

    @Test func laterIncident_wins_andRestoresToStatusBeforeBoth() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let first = try fixture.incident([api: .majorOutage])
        let second = try fixture.incident([api: .partialOutage])
        try fixture.resolve(first)
        #expect(fixture.status(api) == .partialOutage, "the second incident still holds the service")
        try fixture.resolve(second)
        #expect(fixture.status(api) == .operational, "never back to the status of an incident already over")
    }

    @Test func earlierIncidentEndingLast_restoresNothingItDoesNotHold() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let first = try fixture.incident([api: .majorOutage])
        let second = try fixture.incident([api: .partialOutage])
        try fixture.resolve(second)
        #expect(fixture.status(api) == .majorOutage, "back to what the second replaced: the first's status")
        try fixture.resolve(first)
        #expect(fixture.status(api) == .operational)
    }

    @Test func update_droppingAService_restoresIt() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let web = try fixture.service("Web")
        let incident = try fixture.incident([api: .majorOutage, web: .partialOutage])
        try fixture.run(
            .postIncidentUpdate(
                incident, status: .identified, body: "Web is fine",
                affected: [AffectedService(serviceID: api, status: .partialOutage)]))
        #expect(fixture.status(web) == .operational)
        #expect(fixture.status(api) == .partialOutage)
        try fixture.resolve(incident)
        #expect(fixture.status(api) == .operational)
    }

    @Test func deletingAnIncident_restoresItsServices() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let incident = try fixture.incident([api: .majorOutage])
        try fixture.run(.deleteIncident(incident))
        #expect(fixture.status(api) == .operational)
        #expect(fixture.state.incidents.isEmpty)
    }

    @Test func maintenance_byHand_holdsAndRestores() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let changes = try fixture.run(
            .scheduleMaintenance(
                MaintenanceDetails(
                    name: "DB upgrade", description: "", scheduledStart: fixture.now + 3600,
                    scheduledEnd: fixture.now + 7200,
                    affected: [api], autoStart: false, autoComplete: false)))
        guard case .maintenanceScheduled(let window) = changes.first else { Issue.record("not scheduled"); return }
        try fixture.run(.setMaintenanceStatus(window.id, .inProgress, body: nil))
        #expect(fixture.status(api) == .underMaintenance)
        try fixture.run(.setMaintenanceStatus(window.id, .verifying, body: "checking"))
        #expect(fixture.status(api) == .underMaintenance)
        try fixture.run(.setMaintenanceStatus(window.id, .completed, body: nil))
        #expect(fixture.status(api) == .operational)
    }

    @Test func incidentDuringMaintenance_wins_andMaintenanceEndLeavesIt() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let changes = try fixture.run(
            .scheduleMaintenance(
                MaintenanceDetails(
                    name: "Upgrade", description: "", scheduledStart: fixture.now, scheduledEnd: fixture.now + 60,
                    affected: [api], autoStart: false, autoComplete: false)))
        guard case .maintenanceScheduled(let window) = changes.first else { return }
        try fixture.run(.setMaintenanceStatus(window.id, .inProgress, body: nil))
        let incident = try fixture.incident([api: .majorOutage])
        try fixture.run(.setMaintenanceStatus(window.id, .completed, body: nil))
        #expect(fixture.status(api) == .majorOutage)
        try fixture.resolve(incident)
        #expect(fixture.status(api) == .operational)
    }

    @Test func pageIndicator_isTheWorseOfIncidentsAndServices() throws {
        var fixture = try Fixture()
        #expect(fixture.state.pageStatus.indicator == .none)
        #expect(fixture.state.pageStatus.description == "All Systems Operational")
        let services = try (0..<4).map { try fixture.service("S\($0)") }
        try fixture.run(.setServiceStatus(services[0], .degradedPerformance))
        #expect(fixture.state.pageStatus.indicator == .minor)
        try fixture.run(.setServiceStatus(services[1], .partialOutage))
        #expect(fixture.state.pageStatus.indicator == .minor)
        try fixture.run(.setServiceStatus(services[2], .partialOutage))
        #expect(fixture.state.pageStatus.indicator == .major, "half the services in an outage")
        _ = try fixture.incident([:], impact: .critical)
        #expect(fixture.state.pageStatus.indicator == .critical)
    }

    @Test func pageIndicator_maintenanceOnlyWhenNothingWorse() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        try fixture.run(.setServiceStatus(api, .underMaintenance))
        #expect(fixture.state.pageStatus.indicator == .maintenance)
        _ = try fixture.incident([:], impact: .minor)
        #expect(fixture.state.pageStatus.indicator == .minor)
    }
}
