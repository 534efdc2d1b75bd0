public import Foundation  // Date is part of the public values.

/// One record brought from another status page (`statusd import statuspage`), with the ids and times
/// it had there: the importer derives each id from the source's own, so a second run finds what the
/// first made and changes only what differs. Imported incidents and windows hold no claim on their
/// services' statuses: the services arrive with the status the source shows, and closing an imported
/// incident later restores nothing.
public enum ImportedRecord: Sendable {
    case group(id: GroupID, name: String, description: String, position: Int, createdAt: Date)
    case service(
        id: ServiceID, name: String, description: String, status: ServiceStatus, groupID: GroupID?, position: Int,
        createdAt: Date)
    case incident(
        id: IncidentID, name: String, status: IncidentStatus, impact: IncidentImpact, services: [ServiceID],
        updates: [ImportedUpdate<IncidentStatus>], createdAt: Date, resolvedAt: Date?)
    case maintenance(
        id: MaintenanceID, name: String, description: String, status: MaintenanceStatus, start: Date, end: Date,
        services: [ServiceID], autoStart: Bool, autoComplete: Bool, updates: [ImportedUpdate<MaintenanceStatus>],
        createdAt: Date)
    /// A subscriber of the whole page, in the state it had there (its consent carried over: an active
    /// address is not asked to confirm again). Nothing is mailed when one is imported.
    case subscriber(
        id: SubscriberID, channel: SubscriberChannel, address: String, contactEmail: String?, components: [ServiceID],
        state: SubscriberState, createdAt: Date, quarantinedAt: Date?)
}

/// An update of an imported incident or window, oldest first.
public struct ImportedUpdate<Status: Sendable & Hashable>: Sendable, Hashable {
    public let id: UpdateID
    public let status: Status
    public let body: String
    public let createdAt: Date

    public init(id: UpdateID, status: Status, body: String, createdAt: Date) {
        self.id = id
        self.status = status
        self.body = body
        self.createdAt = createdAt
    }
}
