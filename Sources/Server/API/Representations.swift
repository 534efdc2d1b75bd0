import Engine
import Foundation

/// The canonical JSON shapes of API.md for the authenticated API, built from engine values and encoded
/// with the public documents' encoder (snake_case keys, RFC 3339 UTC times, sorted keys).
enum Representation {
    struct ServiceBody: Encodable {
        let id: ServiceID
        let name: String
        let description: String
        let status: ServiceStatus
        let groupID: GroupID?
        let position: Int
        let createdAt: Date
        let updatedAt: Date

        init(_ service: Service) {
            id = service.id
            name = service.name
            description = service.description
            status = service.status
            groupID = service.groupID
            position = service.position
            createdAt = service.createdAt
            updatedAt = service.updatedAt
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(id, forKey: InputKey("id"))
            try container.encode(name, forKey: InputKey("name"))
            try container.encode(description, forKey: InputKey("description"))
            try container.encode(status, forKey: InputKey("status"))
            try container.encode(groupID, forKey: InputKey("group_id"))  // null outside a group, never absent
            try container.encode(position, forKey: InputKey("position"))
            try container.encode(createdAt, forKey: InputKey("created_at"))
            try container.encode(updatedAt, forKey: InputKey("updated_at"))
        }
    }

    struct GroupBody: Encodable {
        let id: GroupID
        let name: String
        let description: String
        let position: Int
        let serviceIds: [ServiceID]
        let createdAt: Date
        let updatedAt: Date

        init(_ group: ServiceGroup, in state: OrgState) {
            id = group.id
            name = group.name
            description = group.description
            position = group.position
            serviceIds = state.orderedServices.filter { $0.groupID == group.id }.map(\.id)
            createdAt = group.createdAt
            updatedAt = group.updatedAt
        }
    }

    struct AffectedBody: Encodable {
        let serviceID: ServiceID
        /// The status the incident set on the service; null when it only names it.
        let status: ServiceStatus?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(serviceID, forKey: InputKey("service_id"))
            try container.encode(status, forKey: InputKey("status"))
        }
    }

    struct UpdateBody<Status: Encodable>: Encodable {
        let id: UpdateID
        let status: Status
        let body: String
        /// Who wrote it; left out of public documents.
        let author: String?
        let createdAt: Date
    }

    struct IncidentBody: Encodable {
        let id: IncidentID
        let name: String
        let status: IncidentStatus
        let impact: IncidentImpact
        let affectedServices: [AffectedBody]
        /// Newest first, as a timeline reads.
        let updates: [UpdateBody<IncidentStatus>]
        let createdAt: Date
        let updatedAt: Date
        let resolvedAt: Date?

        /// - Parameter authors: whether updates name who wrote them (members see it, the public does not).
        init(_ incident: Incident, authors: Bool = true) {
            id = incident.id
            name = incident.name
            status = incident.status
            impact = incident.impact
            affectedServices = incident.affected.map { AffectedBody(serviceID: $0.serviceID, status: $0.status) }
            updates = incident.updates.reversed().map {
                UpdateBody(
                    id: $0.id, status: $0.status, body: $0.body,
                    author: authors ? Representation.author($0.author) : nil, createdAt: $0.createdAt)
            }
            createdAt = incident.createdAt
            updatedAt = incident.updatedAt
            resolvedAt = incident.resolvedAt
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(id, forKey: InputKey("id"))
            try container.encode(name, forKey: InputKey("name"))
            try container.encode(status, forKey: InputKey("status"))
            try container.encode(impact, forKey: InputKey("impact"))
            try container.encode(affectedServices, forKey: InputKey("affected_services"))
            try container.encode(updates, forKey: InputKey("updates"))
            try container.encode(createdAt, forKey: InputKey("created_at"))
            try container.encode(updatedAt, forKey: InputKey("updated_at"))
            try container.encode(resolvedAt, forKey: InputKey("resolved_at"))  // null while open, never absent
        }
    }

    struct MaintenanceBody: Encodable {
        let id: MaintenanceID
        let name: String
        let description: String
        let scheduledStart: Date
        let scheduledEnd: Date
        let status: MaintenanceStatus
        let affectedServices: [ServiceID]
        let autoStart: Bool
        let autoComplete: Bool
        let updates: [UpdateBody<MaintenanceStatus>]
        let createdAt: Date
        let updatedAt: Date

        /// - Parameter authors: whether updates name who wrote them (members see it, the public does not).
        init(_ window: Maintenance, authors: Bool = true) {
            id = window.id
            name = window.name
            description = window.description
            scheduledStart = window.scheduledStart
            scheduledEnd = window.scheduledEnd
            status = window.status
            affectedServices = window.affected
            autoStart = window.autoStart
            autoComplete = window.autoComplete
            updates = window.updates.reversed().map {
                UpdateBody(
                    id: $0.id, status: $0.status, body: $0.body,
                    author: authors ? Representation.author($0.author) : nil, createdAt: $0.createdAt)
            }
            createdAt = window.createdAt
            updatedAt = window.updatedAt
        }
    }

    /// A list page (API.md "Lists").
    struct ListBody<Item: Encodable>: Encodable {
        let items: [Item]
        let nextCursor: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(items, forKey: .items)
            try container.encode(nextCursor, forKey: .nextCursor)  // null on the last page, never absent
        }

        private enum CodingKeys: String, CodingKey {
            case items
            case nextCursor
        }
    }

    /// Who wrote an update: an account id, an API key id, or `statusd` for its own timers.
    static func author(_ principal: Principal) -> String {
        switch principal {
        case .account(let id): id.rawValue
        case .apiKey(let id): id.rawValue
        case .system: "statusd"
        }
    }
}
