package import Engine
package import Foundation

/// The canonical JSON shapes for the authenticated API, built from engine values and encoded
/// with the public documents' encoder (snake_case keys, RFC 3339 UTC times, sorted keys).
package enum Representation {
    package struct ServiceBody: Encodable {
        package let id: ServiceID
        package let name: String
        package let description: String
        package let status: ServiceStatus
        package let groupID: GroupID?
        package let position: Int
        package let createdAt: Date
        package let updatedAt: Date

        package init(_ service: Service) {
            id = service.id
            name = service.name
            description = service.description
            status = service.status
            groupID = service.groupID
            position = service.position
            createdAt = service.createdAt
            updatedAt = service.updatedAt
        }

        package func encode(to encoder: any Encoder) throws {
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

    package struct GroupBody: Encodable {
        package let id: GroupID
        package let name: String
        package let description: String
        package let position: Int
        package let serviceIds: [ServiceID]
        package let createdAt: Date
        package let updatedAt: Date

        package init(_ group: ServiceGroup, in state: OrgState) {
            id = group.id
            name = group.name
            description = group.description
            position = group.position
            serviceIds = state.orderedServices.filter { $0.groupID == group.id }.map(\.id)
            createdAt = group.createdAt
            updatedAt = group.updatedAt
        }
    }

    package struct AffectedBody: Encodable {
        package let serviceID: ServiceID
        /// The status the incident set on the service; null when it only names it.
        package let status: ServiceStatus?

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(serviceID, forKey: InputKey("service_id"))
            try container.encode(status, forKey: InputKey("status"))
        }
    }

    package struct UpdateBody<Status: Encodable>: Encodable {
        package let id: UpdateID
        package let status: Status
        package let body: String
        /// Who wrote it; left out of public documents.
        package let author: String?
        package let createdAt: Date
    }

    package struct IncidentBody: Encodable {
        package let id: IncidentID
        package let name: String
        package let status: IncidentStatus
        package let impact: IncidentImpact
        package let affectedServices: [AffectedBody]
        /// Newest first, as a timeline reads.
        package let updates: [UpdateBody<IncidentStatus>]
        package let createdAt: Date
        package let updatedAt: Date
        package let resolvedAt: Date?

        /// - Parameter authors: whether updates name who wrote them (members see it, the public does not).
        package init(_ incident: Incident, authors: Bool = true) {
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

        package func encode(to encoder: any Encoder) throws {
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

    package struct MaintenanceBody: Encodable {
        package let id: MaintenanceID
        package let name: String
        package let description: String
        package let scheduledStart: Date
        package let scheduledEnd: Date
        package let status: MaintenanceStatus
        package let affectedServices: [ServiceID]
        package let autoStart: Bool
        package let autoComplete: Bool
        package let updates: [UpdateBody<MaintenanceStatus>]
        package let createdAt: Date
        package let updatedAt: Date

        /// - Parameter authors: whether updates name who wrote them (members see it, the public does not).
        package init(_ window: Maintenance, authors: Bool = true) {
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

    /// A list page.
    package struct ListBody<Item: Encodable>: Encodable {
        package let items: [Item]
        package let nextCursor: String?

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(items, forKey: .items)
            try container.encode(nextCursor, forKey: .nextCursor)  // null on the last page, never absent
        }

        private enum CodingKeys: String, CodingKey {
            case items
            case nextCursor
        }

        package init(items: [Item], nextCursor: String?) {
            self.items = items
            self.nextCursor = nextCursor
        }
    }

    /// Who wrote an update: an account id, an API key id, or `statusd` for its own timers.
    package static func author(_ principal: Principal) -> String {
        switch principal {
        case .account(let id): id.rawValue
        case .apiKey(let id): id.rawValue
        case .system: "statusd"
        }
    }
}
