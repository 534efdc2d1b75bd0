import Engine
import Foundation
import HashTreeCollections
import Testing

/// Records imported from another status page keep their ids and times, import again as nothing, and
/// replace what changed; they hold no claim on service statuses.
@Suite struct ImportTests {
    static let then = Date(timeIntervalSince1970: 1_759_312_683)  // 2025-10-01

    static func incident(_ id: IncidentID, _ service: ServiceID, status: IncidentStatus = .resolved) -> ImportedRecord {
        .incident(
            id: id, name: "API errors", status: status, impact: .major, services: [service, .random()],
            updates: [
                ImportedUpdate(id: UpdateID.random(), status: .investigating, body: "Looking", createdAt: then),
                ImportedUpdate(id: UpdateID.random(), status: status, body: "Done", createdAt: then + 600),
            ], createdAt: then, resolvedAt: status.isActive ? nil : then + 600)
    }

    @Test func importAgain_isNothing_changed_replaces() throws {
        var fixture = try Fixture()
        let group = GroupID.random()
        let service = ServiceID.random()
        try fixture.run(
            .importRecord(.group(id: group, name: "Core", description: "", position: 1, createdAt: Self.then)))
        let record = ImportedRecord.service(
            id: service, name: "API", description: "", status: .partialOutage, groupID: group, position: 1,
            createdAt: Self.then)
        try fixture.run(.importRecord(record))
        #expect(fixture.state.services[service]?.createdAt == Self.then && fixture.status(service) == .partialOutage)
        #expect(try fixture.run(.importRecord(record)).isEmpty)

        let id = IncidentID.random()
        let first = Self.incident(id, service)
        try fixture.run(.importRecord(first))
        let imported = try #require(fixture.state.incidents[id])
        #expect(imported.createdAt == Self.then && imported.resolvedAt == Self.then + 600)
        #expect(imported.affected.map(\.serviceID) == [service], "unknown services are dropped")
        #expect(fixture.state.claims.isEmpty, "no claim on the service's status")
        #expect(try fixture.run(.importRecord(first)).isEmpty, "the same record again")
        let changed = try fixture.run(.importRecord(Self.incident(id, service, status: .postmortem)))
        #expect(changed.count == 2 && fixture.state.incidents[id]?.status == .postmortem, "replaced")
        #expect(fixture.status(service) == .partialOutage, "statuses stay the source's")
        #expect(fixture.replayed() == fixture.state)
    }

    @Test func import_refusals() throws {
        var fixture = try Fixture()
        let orphan = ImportedRecord.service(
            id: .random(), name: "API", description: "", status: .operational, groupID: .random(), position: 0,
            createdAt: Self.then)
        #expect(engineError { try fixture.run(.importRecord(orphan)) }?.code == .notFound)
        let unnamed = ImportedRecord.group(id: .random(), name: " ", description: "", position: 0, createdAt: Self.then)
        #expect(engineError { try fixture.run(.importRecord(unnamed)) }?.code == .invalid)
        let backwards = ImportedRecord.maintenance(
            id: .random(), name: "Upgrade", description: "", status: .completed, start: Self.then, end: Self.then - 1,
            services: [], autoStart: false, autoComplete: false, updates: [], createdAt: Self.then)
        #expect(engineError { try fixture.run(.importRecord(backwards)) }?.code == .invalid)
        let key = try fixture.run(.createKey(name: "ed", role: .editor, secretHash: [1])).compactMap {
            if case .keyCreated(let key) = $0 { key.id } else { nil }
        }
        let editor = Principal.apiKey(try #require(key.first))
        let group = ImportedRecord.group(
            id: .random(), name: "Core", description: "", position: 0, createdAt: Self.then)
        #expect(engineError { try fixture.run(.importRecord(group), by: editor) }?.code == .forbidden, "admins import")
    }

    @Test func subscribers_keepTheirStateAndTimes_importAgainAsNothing_andNeverMail() throws {
        var fixture = try Fixture()
        let service = try fixture.service("API")
        func email(_ id: SubscriberID, _ address: String, _ state: SubscriberState) -> ImportedRecord {
            .subscriber(
                id: id, channel: .email, address: address, contactEmail: nil, components: [service, .random()],
                state: state, createdAt: Self.then, quarantinedAt: state == .quarantined ? Self.then + 60 : nil)
        }
        let reader = SubscriberID.random()
        try fixture.run(.importRecord(email(reader, "Reader@Example.com", .active)))
        let imported = try #require(fixture.state.subscribers[reader])
        #expect(imported.address == "reader@example.com" && imported.state == .active)
        #expect(imported.components == [service], "unknown components are dropped")
        #expect(imported.createdAt == Self.then && imported.confirmedAt == Self.then)
        #expect(fixture.state.pendingNotices.isEmpty, "an imported subscriber is not mailed")
        #expect(try fixture.run(.importRecord(email(reader, "reader@example.com", .active))).isEmpty)

        // Quarantined there: quarantined here at the same time, purged 90 days on.
        try fixture.run(.importRecord(email(reader, "reader@example.com", .quarantined)))
        #expect(fixture.state.subscribers[reader]?.purgeAt == Self.then + 60 + 90 * 86_400)
        // An address already subscribed here under another id stays as it is.
        #expect(try fixture.run(.importRecord(email(.random(), "reader@example.com", .active))).isEmpty)
        let hook = ImportedRecord.subscriber(
            id: .random(), channel: .webhook, address: "https://hooks.example.com/x", contactEmail: nil,
            components: [], state: .active, createdAt: Self.then, quarantinedAt: nil)
        #expect(engineError { try fixture.run(.importRecord(hook)) }?.field == "contact_email")
        #expect(fixture.replayed() == fixture.state)
    }
}
