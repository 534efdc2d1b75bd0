import HashTreeCollections

/// What an organization's status page shows, chosen and ordered here once for every rendering of it:
/// the public summary, the HTML page, Statuspage's v2 documents and its v1 lists (docs/RULES.md "What
/// the page shows"). A rendering picks what its format has room for; it never selects or orders again.
public struct PageContent: Sendable {
    /// A group and its services in page order.
    public struct Section: Sendable {
        public let group: ServiceGroup
        public let services: [Service]
    }

    /// Every service in page order (`OrgState.orderedServices`).
    public let services: [Service]
    /// The services in no group, in page order.
    public let ungrouped: [Service]
    /// Every group in page order (`OrgState.orderedGroups`), each with its services (a group may have none).
    public let sections: [Section]
    /// Incidents not yet resolved, the newest start first.
    public let openIncidents: [Incident]
    /// Windows in progress or verifying, the soonest scheduled start first.
    public let maintenanceUnderway: [Maintenance]
    /// Windows not yet started, the soonest scheduled start first.
    public let maintenanceUpcoming: [Maintenance]

    public init(_ state: OrgState) {
        services = state.orderedServices
        ungrouped = services.filter { $0.groupID == nil }
        var members: [GroupID: [Service]] = [:]
        for service in services { if let group = service.groupID { members[group, default: []].append(service) } }
        sections = state.orderedGroups.map { Section(group: $0, services: members[$0.id] ?? []) }
        openIncidents = state.incidents.values.filter { $0.status.isActive }
            .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        let windows = state.maintenance.values.sorted { ($0.scheduledStart, $0.id) < ($1.scheduledStart, $1.id) }
        maintenanceUnderway = windows.filter { $0.status.isUnderway }
        maintenanceUpcoming = windows.filter { $0.status == .scheduled }
    }
}
