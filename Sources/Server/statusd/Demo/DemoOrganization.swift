import Engine
import Foundation
import HTTP
import Live
import StatuspageCompat
import Wire

/// The demo organization `make run` shows: a few services in groups, a live incident, a scheduled
/// window. Built with ordinary commands through the engine, so it obeys every rule real data does.
enum DemoOrganization {
    static let slug = "demo"

    /// Creates the demo organization unless its slug is already taken; its maintenance window starts at
    /// `maintenanceStart` (a day after now by default).
    static func seed(
        registry: Registry, directory: Directory, maintenanceStart: Date = WallClock.now().addingTimeInterval(86_400)
    )
        async throws
    {
        guard registry.organization(slug: slug) == nil else { return }
        let owner: AccountID
        if let existing = directory.state.account(email: "demo@statusd.invalid") {
            owner = existing.id
        } else {
            let events = try await directory.submit(
                .signUp(email: "demo@statusd.invalid", name: "Demo Owner", passwordHash: nil))
            guard case .accountCreated(let account) = events.first?.change else { return }
            owner = account.id
        }
        let created = try await registry.createOrganization(
            slug: slug, name: "Demo Cloud", timeZone: "UTC", owner: owner)
        guard let actor = registry.organization(id: created.events[0].change.organizationID!) else { return }
        let by = Principal.account(owner)
        func run(_ command: OrgCommand) async throws -> [OrgChange] {
            try await registry.submit(command, to: actor, by: by).events.map(\.change)
        }
        let core = try await run(.createGroup(name: "Core platform", description: "", position: 0)).groupID
        let delivery = try await run(.createGroup(name: "Delivery", description: "", position: 1)).groupID
        let web = try await run(
            .createService(
                name: "Website", description: "The public site", status: .operational, groupID: core, position: 0)
        ).serviceID
        _ = try await run(
            .createService(
                name: "API", description: "REST and GraphQL", status: .operational, groupID: core, position: 1))
        let database = try await run(
            .createService(
                name: "Database", description: "Primary cluster", status: .operational, groupID: core, position: 2)
        ).serviceID
        let email = try await run(
            .createService(
                name: "Email", description: "Outbound mail", status: .operational, groupID: delivery, position: 0)
        ).serviceID
        _ = try await run(
            .createService(name: "Webhooks", description: "", status: .operational, groupID: delivery, position: 1))
        _ = try await run(
            .createIncident(
                IncidentDraft(
                    name: "Delayed email delivery", status: .identified, impact: .minor,
                    body:
                        "Outbound email is queued for up to 10 minutes. We have found the cause and are working on a fix.",
                    affected: [AffectedService(serviceID: email!, status: .degradedPerformance)])))
        _ = try await run(
            .scheduleMaintenance(
                MaintenanceDetails(
                    name: "Database upgrade", description: "Minor version upgrade of the primary cluster.",
                    scheduledStart: maintenanceStart, scheduledEnd: maintenanceStart.addingTimeInterval(3_600),
                    affected: [database!, web!])))
    }
}

extension OrgChange {
    var organizationID: OrgID? {
        if case .organizationCreated(let id, _, _) = self { return id }
        return nil
    }
}

extension Array where Element == OrgChange {
    var serviceID: ServiceID? {
        for change in self { if case .serviceCreated(let service) = change { return service.id } }
        return nil
    }

    var groupID: GroupID? {
        for change in self { if case .groupCreated(let group) = change { return group.id } }
        return nil
    }
}
