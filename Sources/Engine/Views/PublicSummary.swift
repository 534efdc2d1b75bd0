public import Foundation  // Date is part of the public document.
import HashTreeCollections

/// The public status document of `GET /api/status/{slug}`: everything the page shows, public
/// fields only, in the order the page shows it. Built from a view, encoded once per view.
public struct PublicSummary: Hashable, Sendable, Encodable {
    public struct Organization: Hashable, Sendable, Encodable {
        let id: OrgID
        let slug: String
        let name: String
        let timeZone: String
        let logoUrl: String?
        let accentColor: String?

        /// An organization's public settings (also the data of a live `organization_update` frame).
        public init(_ state: OrgState) {
            let settings = state.settings
            id = state.id
            slug = settings.slug
            name = settings.name
            timeZone = settings.timeZone
            logoUrl = settings.branding.logoURL
            accentColor = settings.branding.accentColor
        }
    }

    public struct ServiceEntry: Hashable, Sendable, Encodable {
        let id: ServiceID
        let name: String
        let description: String
        let status: ServiceStatus
        let groupID: GroupID?
        let position: Int
        let createdAt: Date
        let updatedAt: Date
    }

    public struct GroupEntry: Hashable, Sendable, Encodable {
        let id: GroupID
        let name: String
        let description: String
        let position: Int
        let serviceIds: [ServiceID]
    }

    public struct IncidentEntry: Hashable, Sendable, Encodable {
        struct Affected: Hashable, Sendable, Encodable {
            let serviceID: ServiceID
            let status: ServiceStatus?
        }
        struct Update: Hashable, Sendable, Encodable {
            let id: UpdateID
            let status: IncidentStatus
            let body: String
            let createdAt: Date
        }
        let id: IncidentID
        let name: String
        let status: IncidentStatus
        let impact: IncidentImpact
        let affectedServices: [Affected]
        let updates: [Update]
        let createdAt: Date
        let updatedAt: Date
        let resolvedAt: Date?
    }

    public struct MaintenanceEntry: Hashable, Sendable, Encodable {
        struct Update: Hashable, Sendable, Encodable {
            let id: UpdateID
            let status: MaintenanceStatus
            let body: String
            let createdAt: Date
        }
        let id: MaintenanceID
        let name: String
        let description: String
        let status: MaintenanceStatus
        let scheduledStart: Date
        let scheduledEnd: Date
        let affectedServices: [ServiceID]
        let updates: [Update]
    }

    public let organization: Organization
    public let status: PageStatus
    public let services: [ServiceEntry]
    public let groups: [GroupEntry]
    public let activeIncidents: [IncidentEntry]
    public let activeMaintenance: [MaintenanceEntry]
    public let upcomingMaintenance: [MaintenanceEntry]
    public let updatedAt: Date
    public let seq: Seq

    /// The document for one durable state.
    public init(_ state: OrgState) {
        organization = Organization(state)
        status = state.pageStatus
        let content = PageContent(state)
        services = content.services.map {
            ServiceEntry(
                id: $0.id, name: $0.name, description: $0.description, status: $0.status, groupID: $0.groupID,
                position: $0.position, createdAt: $0.createdAt, updatedAt: $0.updatedAt)
        }
        groups = content.sections.map { section in
            GroupEntry(
                id: section.group.id, name: section.group.name, description: section.group.description,
                position: section.group.position, serviceIds: section.services.map(\.id))
        }
        activeIncidents = content.openIncidents.map(Self.entry)
        activeMaintenance = content.maintenanceUnderway.map(Self.entry)
        upcomingMaintenance = content.maintenanceUpcoming.map(Self.entry)
        updatedAt = state.updatedAt
        seq = state.publicSeq
    }

    private static func entry(_ incident: Incident) -> IncidentEntry {
        IncidentEntry(
            id: incident.id, name: incident.name, status: incident.status, impact: incident.impact,
            affectedServices: incident.affected.map { .init(serviceID: $0.serviceID, status: $0.status) },
            updates: incident.updates.reversed().map {
                .init(id: $0.id, status: $0.status, body: $0.body, createdAt: $0.createdAt)
            },
            createdAt: incident.createdAt, updatedAt: incident.updatedAt, resolvedAt: incident.resolvedAt)
    }

    private static func entry(_ window: Maintenance) -> MaintenanceEntry {
        MaintenanceEntry(
            id: window.id, name: window.name, description: window.description, status: window.status,
            scheduledStart: window.scheduledStart, scheduledEnd: window.scheduledEnd,
            affectedServices: window.affected,
            updates: window.updates.reversed().map {
                .init(id: $0.id, status: $0.status, body: $0.body, createdAt: $0.createdAt)
            })
    }

    /// The JSON encoder of every public document: snake_case keys, RFC 3339 UTC times, sorted keys so
    /// that equal documents are equal bytes (strong ETags).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension OrgState {
    /// Groups in page order: by position, then name, then id.
    public var orderedGroups: [ServiceGroup] {
        groups.values.sorted { ($0.position, $0.name, $0.id) < ($1.position, $1.name, $1.id) }
    }

    /// Services in page order: by group position, then position, then name (then id, so that equal
    /// names read the same in every process).
    public var orderedServices: [Service] {
        services.values.sorted { lhs, rhs in
            let left = (lhs.groupID.flatMap { groups[$0]?.position } ?? -1, lhs.position, lhs.name, lhs.id)
            let right = (rhs.groupID.flatMap { groups[$0]?.position } ?? -1, rhs.position, rhs.name, rhs.id)
            return left < right
        }
    }
}
