import Engine
import Foundation
import HashTreeCollections
import TestSupport
import Testing

/// Random histories of incidents, maintenance and manual changes. Written by hand rather than with a
/// property-testing library to keep the test target free of another dependency build; each history
/// is reproducible from its seed, printed on failure.
@Suite struct CouplingPropertyTests {
    static let seeds: [UInt64] = Array(1...400)

    /// Runs one random step; refused commands (illegal transitions) are part of the exploration.
    static func step(_ fixture: inout Fixture, _ services: [ServiceID], _ random: inout SplitMix64) {
        let statuses: [ServiceStatus] = [.operational, .degradedPerformance, .partialOutage, .majorOutage]
        let service = services.randomElement(using: &random)!
        let incidents = Array(fixture.state.incidents.keys)
        let windows = Array(fixture.state.maintenance.keys)
        fixture.advance(Double(random.next(upperBound: 600 as UInt64)))
        switch random.next(upperBound: 8 as UInt64) {
        case 0:
            _ = try? fixture.run(.setServiceStatus(service, statuses.randomElement(using: &random)!))
        case 1:
            let affected = services.filter { _ in Bool.random(using: &random) }
                .map { AffectedService(serviceID: $0, status: statuses.randomElement(using: &random)!) }
            let draft = IncidentDraft(name: "i", status: .investigating, impact: .minor, body: "b", affected: affected)
            _ = try? fixture.run(.createIncident(draft))
        case 2, 3:
            guard let incident = incidents.randomElement(using: &random) else { return }
            let affected =
                Bool.random(using: &random)
                ? nil
                : services.filter { _ in Bool.random(using: &random) }
                    .map { AffectedService(serviceID: $0, status: statuses.randomElement(using: &random)!) }
            let status = IncidentStatus.allCases.randomElement(using: &random)!
            _ = try? fixture.run(.postIncidentUpdate(incident, status: status, body: "u", affected: affected))
        case 4:
            guard let incident = incidents.randomElement(using: &random) else { return }
            _ = try? fixture.run(.deleteIncident(incident))
        case 5:
            let affected = services.filter { _ in Bool.random(using: &random) }
            _ = try? fixture.run(
                .scheduleMaintenance(
                    MaintenanceDetails(
                        name: "m", description: "", scheduledStart: fixture.now + 300, scheduledEnd: fixture.now + 900,
                        affected: affected)))
        case 6:
            guard let window = windows.randomElement(using: &random) else { return }
            _ = try? fixture.run(
                .setMaintenanceStatus(window, MaintenanceStatus.allCases.randomElement(using: &random)!, body: nil))
        default:
            _ = try? fixture.run(.advanceMaintenance, by: .system)
        }
    }

    /// A status held by an incident or window is held by one that is still active.
    static func checkHolders(_ state: OrgState) -> Bool {
        state.services.values.allSatisfy { service in
            switch service.statusReason {
            case .incident(let id): state.incidents[id]?.status.isActive == true
            case .maintenance(let id): state.maintenance[id]?.status.isUnderway == true
            default: true
            }
        }
    }

    @Test(arguments: seeds)
    func randomHistory_neverLeavesAStatusNobodySet(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        var fixture = try Fixture()
        let services = try (0..<3).map { try fixture.service("S\($0)") }
        for _ in 0..<40 {
            Self.step(&fixture, services, &random)
            #expect(Self.checkHolders(fixture.state), "seed \(seed)")
        }
        // End everything: resolve every active incident and finish every window.
        for incident in fixture.state.incidents.values where incident.status.isActive {
            try fixture.resolve(incident.id)
        }
        for window in fixture.state.maintenance.values where !window.status.isFinal {
            try fixture.run(
                .setMaintenanceStatus(window.id, window.status == .scheduled ? .cancelled : .completed, body: nil))
        }
        for service in services {
            let lastSet = fixture.state.statusHistory[service]!.last { $0.reason == .manual || $0.reason == .created }
            #expect(fixture.status(service) == lastSet?.to, "seed \(seed): back to the last status a person set")
        }
        #expect(fixture.state.claims.isEmpty, "seed \(seed): nothing holds a service once all has ended")
        #expect(fixture.replayed() == fixture.state, "seed \(seed): evolve alone rebuilds the state")
    }
}
