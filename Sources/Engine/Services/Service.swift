public import Foundation  // Date is part of the public values.

/// Why a service's status changed: a person or key did it, an incident or maintenance set it, or it was
/// restored when one ended.
public enum StatusReason: Hashable, Sendable, Codable {
    case manual
    case incident(IncidentID)
    case maintenance(MaintenanceID)
    case restoredAfterIncident(IncidentID)
    case restoredAfterMaintenance(MaintenanceID)
    /// The service was created with this status.
    case created
}

/// A component of the organization whose health the page shows.
public struct Service: Hashable, Sendable, Codable, Identifiable {
    public let id: ServiceID
    public var name: String
    public var description: String
    public var status: ServiceStatus
    /// Who holds the current status: `created`, `manual`, or an active incident or window. After a
    /// restore it is the holder from before the claim, never a `restoredAfter...` reason (those stay in
    /// the history); the coupling rules restore only a status its setter still holds.
    public var statusReason: StatusReason
    public var groupID: GroupID?
    public var position: Int
    public let createdAt: Date
    public var updatedAt: Date

    /// Every field, as the codec and tests build values.
    package init(
        id: ServiceID, name: String, description: String, status: ServiceStatus, statusReason: StatusReason,
        groupID: GroupID?, position: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.status = status
        self.statusReason = statusReason
        self.groupID = groupID
        self.position = position
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One change of a service's status: the raw history uptime is computed from.
public struct StatusChange: Hashable, Sendable, Codable {
    public let serviceID: ServiceID
    public let from: ServiceStatus?
    public let to: ServiceStatus
    public let at: Date
    public let by: Principal
    public let reason: StatusReason

    /// Every field, as the codec and tests build values.
    package init(
        serviceID: ServiceID, from: ServiceStatus?, to: ServiceStatus, at: Date, by: Principal, reason: StatusReason
    ) {
        self.serviceID = serviceID
        self.from = from
        self.to = to
        self.at = at
        self.by = by
        self.reason = reason
    }
}

/// A named, ordered set of services on the page.
public struct ServiceGroup: Hashable, Sendable, Codable, Identifiable {
    public let id: GroupID
    public var name: String
    public var description: String
    public var position: Int
    public let createdAt: Date
    public var updatedAt: Date

    /// Every field, as the codec and tests build values.
    package init(id: GroupID, name: String, description: String, position: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.description = description
        self.position = position
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
