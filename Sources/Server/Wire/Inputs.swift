package import Engine
package import Foundation

/// The bodies of the write routes, decoded with the aliases of docs/RULES.md (`title` for `name`; `message`
/// or `description` for an update's `body`; status labels in any case). Fields are optional here;
/// each route says which it requires, and the engine validates values (lengths, rules).

/// `POST /api/services`, `PUT /api/services/{id}`.
package struct ServiceInput: Decodable {
    package var name: String?
    package var description: String?
    package var status: ServiceStatus?
    /// Absent: unchanged; `null`: out of its group.
    package var groupID: GroupID??
    package var position: Int?

    package init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: InputKey.self)
        name = try input.value(String.self, "name", "title")
        description = try input.value(String.self, "description")
        status = try input.value(String.self, "status").map { try input.serviceStatus("status", $0) }
        if input.has("group_id") {
            groupID = .some(
                try input.value(String.self, "group_id").map { try input.id("group_id", $0, as: GroupID.self) })
        }
        position = try input.value(Int.self, "position")
    }
}

/// `PUT /api/services/{id}/status`.
package struct ServiceStatusInput: Decodable {
    package let status: ServiceStatus

    package init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: InputKey.self)
        status = try input.serviceStatus("status", try input.required(String.self, "status"))
    }
}

/// `POST /api/service-groups`, `PUT /api/service-groups/{id}`.
package struct GroupInput: Decodable {
    package var name: String?
    package var description: String?
    package var position: Int?

    package init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: InputKey.self)
        name = try input.value(String.self, "name", "title")
        description = try input.value(String.self, "description")
        position = try input.value(Int.self, "position")
    }
}

/// An incident's `affected_services`: `[{"service_id": ..., "status": ...}]`, or bare service ids.
package struct AffectedInput: Decodable {
    package let affected: AffectedService

    package init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            guard let id = ServiceID(text) else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "'\(text.prefix(64))' is not a service id (svc_...)"))
            }
            affected = AffectedService(serviceID: id, status: nil)
            return
        }
        let input = try decoder.container(keyedBy: InputKey.self)
        let id = try input.id("service_id", try input.required(String.self, "service_id", "id"), as: ServiceID.self)
        let status = try input.value(String.self, "status").map { try input.serviceStatus("status", $0) }
        affected = AffectedService(serviceID: id, status: status)
    }
}

/// `POST /api/incidents`, `PUT /api/incidents/{id}`, `POST /api/incidents/{id}/updates`,
/// `PUT /api/incidents/{id}/status`, `PUT /api/incidents/{id}/resolve`.
package struct IncidentInput: Decodable {
    package var name: String?
    package var status: IncidentStatus?
    package var impact: IncidentImpact?
    package var body: String?
    package var affected: [AffectedService]?
    /// Tell subscribers (Statuspage's `deliver_notifications`); absent: when services are named.
    package var notify: Bool?

    package init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: InputKey.self)
        name = try input.value(String.self, "name", "title")
        notify = try input.value(Bool.self, "notify", "deliver_notifications")
        status = try input.value(String.self, "status").map {
            try input.parsed("status", $0, choices: choices(IncidentStatus.self), IncidentStatus.init(input:))
        }
        impact = try input.value(String.self, "impact").map {
            try input.parsed("impact", $0, choices: choices(IncidentImpact.self), IncidentImpact.init(input:))
        }
        body = try input.value(String.self, "body", "message", "description")
        affected = try input.value([AffectedInput].self, "affected_services")?.map(\.affected)
    }

    package init() {}
}

/// `POST /api/maintenance`, `PUT /api/maintenance/{id}`.
package struct MaintenanceInput: Decodable {
    package var name: String?
    package var description: String?
    package var scheduledStart: Date?
    package var scheduledEnd: Date?
    package var affected: [ServiceID]?
    package var autoStart: Bool?
    package var autoComplete: Bool?
    /// Tell subscribers when the window is scheduled; absent: when services are named.
    package var notify: Bool?

    package init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: InputKey.self)
        name = try input.value(String.self, "name", "title")
        notify = try input.value(Bool.self, "notify", "deliver_notifications")
        description = try input.value(String.self, "description")
        scheduledStart = try input.value(String.self, "scheduled_start").map { try input.date("scheduled_start", $0) }
        scheduledEnd = try input.value(String.self, "scheduled_end").map { try input.date("scheduled_end", $0) }
        affected = try input.value([String].self, "affected_services")?.map {
            try input.id("affected_services", $0, as: ServiceID.self)
        }
        autoStart = try input.value(Bool.self, "auto_start")
        autoComplete = try input.value(Bool.self, "auto_complete")
    }
}

/// `PUT /api/incidents/{id}/updates/{update_id}`, `PUT /api/maintenance/{id}/updates/{update_id}`.
package struct UpdateTextInput: Decodable {
    package let body: String

    package init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: InputKey.self)
        body = try input.required(String.self, "body", "message")
    }
}

/// `PUT /api/maintenance/{id}/status`.
package struct MaintenanceStatusInput: Decodable {
    package let status: MaintenanceStatus
    package let body: String?
    /// Tell subscribers; absent: when the window names services.
    package let notify: Bool?

    package init(from decoder: any Decoder) throws {
        let input = try decoder.container(keyedBy: InputKey.self)
        notify = try input.value(Bool.self, "notify", "deliver_notifications")
        status = try input.parsed(
            "status", try input.required(String.self, "status"), choices: choices(MaintenanceStatus.self),
            MaintenanceStatus.init(input:))
        body = try input.value(String.self, "body", "message")
    }
}

/// The canonical values of an enumeration, for error messages.
package func choices<Value: CaseIterable & RawRepresentable>(_ type: Value.Type) -> String
where Value.RawValue == String {
    "one of " + Value.allCases.map(\.rawValue).joined(separator: ", ")
}

extension KeyedDecodingContainer where Key == InputKey {
    package func serviceStatus(_ name: String, _ text: String) throws -> ServiceStatus {
        try parsed(name, text, choices: choices(ServiceStatus.self), ServiceStatus.init(input:))
    }

    package func id<Kind>(_ name: String, _ text: String, as type: Identifier<Kind>.Type) throws -> Identifier<Kind> {
        try parsed(name, text, choices: "an id of the form \(Kind.prefix)_...", Identifier<Kind>.init)
    }

    /// An RFC 3339 time, with or without fractional seconds.
    package func date(_ name: String, _ text: String) throws -> Date {
        try parsed(name, text, choices: "an RFC 3339 time such as 2026-11-23T08:00:00Z") { text in
            (try? Date(text, strategy: .iso8601))
                ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
    }
}
