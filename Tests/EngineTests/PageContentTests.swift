import Engine
import Foundation
import Testing

/// docs/RULES.md "What the page shows": one selection and order that every rendering reads.
@Suite struct PageContentTests {
    @Test func selectsAndOrdersOnce_forEveryRendering() throws {
        var fixture = try Fixture()
        func group(_ name: String, position: Int) throws -> GroupID {
            guard
                case .groupCreated(let group) = try fixture.run(
                    .createGroup(name: name, description: "", position: position)
                ).first
            else { fatalError("no group created") }
            return group.id
        }
        let later = try group("Later", position: 2)
        let first = try group("First", position: 1)
        let empty = try group("Empty", position: 3)
        let loose = try fixture.service("Loose")
        let api = try fixture.service("API")
        let web = try fixture.service("Web")
        try fixture.run(.updateService(api, ServicePatch(groupID: .some(first))))
        try fixture.run(.updateService(web, ServicePatch(groupID: .some(later))))
        let older = try fixture.incident([api: .partialOutage])
        fixture.advance(60)
        let newer = try fixture.incident([:], impact: .minor)
        let resolved = try fixture.incident([:], impact: .minor)
        try fixture.resolve(resolved)
        func window(_ name: String, in seconds: TimeInterval) throws -> MaintenanceID {
            let details = MaintenanceDetails(
                name: name, description: "", scheduledStart: fixture.now + seconds,
                scheduledEnd: fixture.now + seconds + 600, affected: [])
            guard case .maintenanceScheduled(let window) = try fixture.run(.scheduleMaintenance(details)).first
            else { fatalError("not scheduled") }
            return window.id
        }
        let soon = try window("Soon", in: 60)
        let afterThat = try window("After that", in: 3_600)
        let underway = try window("Underway", in: 7_200)
        let done = try window("Called off", in: 30)
        try fixture.run(.setMaintenanceStatus(underway, .inProgress, body: nil))
        try fixture.run(.setMaintenanceStatus(done, .cancelled, body: nil))

        let content = PageContent(fixture.state)
        #expect(content.ungrouped.map(\.id) == [loose])
        #expect(content.sections.map(\.group.id) == [first, later, empty], "by position")
        #expect(content.sections.map { $0.services.map(\.id) } == [[api], [web], []], "a group with none is listed")
        #expect(Set(content.services.map(\.id)) == [loose, api, web])
        #expect(content.openIncidents.map(\.id) == [newer, older], "open only, the newest start first")
        #expect(content.maintenanceUpcoming.map(\.id) == [soon, afterThat], "scheduled, the soonest first")
        #expect(content.maintenanceUnderway.map(\.id) == [underway])
    }
}
