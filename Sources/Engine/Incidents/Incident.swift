public import Foundation  // Date is part of the public values.

/// A service an incident affects and the status the incident gives it (`nil`: named, status untouched).
public struct AffectedService: Hashable, Sendable, Codable {
    public let serviceID: ServiceID
    public let status: ServiceStatus?

    public init(serviceID: ServiceID, status: ServiceStatus?) {
        self.serviceID = serviceID
        self.status = status
    }
}

/// One message on an incident's timeline.
public struct IncidentUpdate: Hashable, Sendable, Codable, Identifiable {
    public let id: UpdateID
    public let status: IncidentStatus
    public internal(set) var body: String
    public let author: Principal
    public let createdAt: Date

    /// Every field, as the codec and tests build values.
    package init(id: UpdateID, status: IncidentStatus, body: String, author: Principal, createdAt: Date) {
        self.id = id
        self.status = status
        self.body = body
        self.author = author
        self.createdAt = createdAt
    }
}

/// An incident: what is wrong, how bad, which services, and its timeline.
public struct Incident: Hashable, Sendable, Codable, Identifiable {
    public let id: IncidentID
    public var name: String
    public var status: IncidentStatus
    public var impact: IncidentImpact
    public var affected: [AffectedService]
    public var updates: [IncidentUpdate]
    public let createdAt: Date
    public var updatedAt: Date
    public var resolvedAt: Date?

    /// Every field, as the codec and tests build values.
    package init(
        id: IncidentID, name: String, status: IncidentStatus, impact: IncidentImpact, affected: [AffectedService],
        updates: [IncidentUpdate], createdAt: Date, updatedAt: Date, resolvedAt: Date?
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.impact = impact
        self.affected = affected
        self.updates = updates
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.resolvedAt = resolvedAt
    }
}

/// What an incident or a maintenance window did to one service, so that its end can undo it only
/// where nobody changed the service since.
public struct StatusClaim: Hashable, Sendable, Codable {
    /// The status the service had before the claim, and what had set it.
    public let previousStatus: ServiceStatus
    public let previousReason: StatusReason

    /// Every field, as the codec and tests build values.
    package init(previousStatus: ServiceStatus, previousReason: StatusReason) {
        self.previousStatus = previousStatus
        self.previousReason = previousReason
    }
}
