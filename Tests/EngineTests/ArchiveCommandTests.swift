import Engine
import Foundation
import HashTreeCollections
import Testing

/// What may leave memory for the history archive, and what `archiveHistory` does to the state.
@Suite struct ArchiveCommandTests {
    static let day: TimeInterval = 86_400

    /// An organization with one incident resolved 100 days ago, one resolved yesterday, one still open,
    /// and one maintenance window cancelled 100 days ago.
    static func history() throws -> (Fixture, old: IncidentID, recent: IncidentID, open: IncidentID, MaintenanceID) {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let old = try fixture.incident([api: .majorOutage])
        let open = try fixture.incident([:], impact: .minor)
        try fixture.resolve(old)
        let changes = try fixture.run(
            .scheduleMaintenance(
                MaintenanceDetails(
                    name: "Upgrade", description: "", scheduledStart: fixture.now + 60,
                    scheduledEnd: fixture.now + 120, affected: [api])))
        guard case .maintenanceScheduled(let window) = changes.first else { fatalError("not scheduled") }
        try fixture.run(.setMaintenanceStatus(window.id, .cancelled, body: nil))
        fixture.advance(99 * day)
        let recent = try fixture.incident([api: .degradedPerformance])
        try fixture.resolve(recent)
        fixture.advance(day)
        return (fixture, old, recent, open, window.id)
    }

    @Test func archivable_isWhatClosedBeforeTheWindow() throws {
        let (fixture, old, _, _, window) = try Self.history()
        let archivable = fixture.state.archivableHistory(at: fixture.now)
        #expect(archivable.incidents.map(\.id) == [old])
        #expect(archivable.maintenance.map(\.id) == [window])
    }

    @Test func archiving_forgetsTheItems_andIsNotAPublicChange() throws {
        var (fixture, old, recent, open, window) = try Self.history()
        let publicSeq = fixture.state.publicSeq
        try fixture.run(.archiveHistory(incidents: [old], maintenance: [window]), by: .system)
        #expect(fixture.state.incidents[old] == nil)
        #expect(fixture.state.maintenance[window] == nil)
        #expect(fixture.state.incidents[recent] != nil && fixture.state.incidents[open] != nil)
        #expect(fixture.state.publicSeq == publicSeq, "the page did not change: the archive serves the history")
        #expect(fixture.replayed() == fixture.state)
    }

    @Test func archiving_neverTakesAnOpenItem_orAnUnknownOne() throws {
        var (fixture, _, _, open, _) = try Self.history()
        #expect(
            try fixture.run(.archiveHistory(incidents: [open, .random()], maintenance: [.random()]), by: .system)
                .isEmpty)
        #expect(fixture.state.incidents[open] != nil)
    }

    @Test func archiving_isForStatusdsTimerOnly() throws {
        var (fixture, old, _, _, _) = try Self.history()
        #expect(engineError { try fixture.run(.archiveHistory(incidents: [old], maintenance: [])) }?.code == .forbidden)
    }
}
