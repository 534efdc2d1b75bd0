package import Engine
package import Foundation
import HTTP
import HTTPTypes
import Wire

/// An `incident` envelope of Statuspage v1, read for our two kinds: Statuspage keeps scheduled
/// maintenance among its incidents (`status` scheduled/in_progress/verifying/completed, or a
/// `scheduled_for`), statusd keeps it apart.
package struct V1IncidentInput {
    package let fields: V1Fields
    package var name: String?
    package var body: String?
    package var impact: IncidentImpact?
    /// The incident status, or nil when absent or a maintenance status.
    package var status: IncidentStatus?
    package var maintenanceStatus: MaintenanceStatus?
    /// `components: {id: status}` then `component_ids` not in it (status unchanged), or nil when
    /// neither is present.
    package var affected: [AffectedService]?
    package var scheduledFor: Date?
    package var scheduledUntil: Date?
    package var autoStart: Bool?
    package var autoComplete: Bool?
    /// Statuspage's `deliver_notifications`: tell subscribers; absent: when components are named.
    package var notify: Bool?

    package static let maintenanceStatuses: Set<String> = ["scheduled", "in_progress", "verifying", "completed"]

    package init(_ fields: V1Fields) throws {
        self.fields = fields
        name = try fields.text("name")
        body = try fields.text("body")
        impact = try fields.choice("impact_override", choices(IncidentImpact.self), IncidentImpact.init(input:))
        if let text = try fields.text("status") {
            if Self.maintenanceStatuses.contains(text.lowercased()) {
                maintenanceStatus = MaintenanceStatus(input: text)
            } else {
                status = try fields.choice(
                    "status",
                    "one of investigating, identified, monitoring, resolved, postmortem, scheduled, in_progress, verifying, completed",
                    IncidentStatus.init(input:))
            }
        }
        affected = try Self.affected(fields)
        notify = try fields.bool("deliver_notifications")
        scheduledFor = try fields.date("scheduled_for")
        scheduledUntil = try fields.date("scheduled_until")
        autoStart = try fields.bool("scheduled_auto_in_progress") ?? fields.bool("auto_transition_to_maintenance_state")
        autoComplete =
            try fields.bool("scheduled_auto_completed") ?? fields.bool("auto_transition_to_operational_state")
        if try fields.bool("backfilled") == true {
            throw Problem(
                status: .unprocessableContent,
                detail:
                    "\(fields.field("backfilled")): statusd records incidents as they happen and cannot backfill one",
                field: fields.field("backfilled"))
        }
    }

    /// Whether the envelope describes scheduled maintenance.
    package var isMaintenance: Bool { maintenanceStatus != nil || scheduledFor != nil }

    /// The impact Statuspage derives when none is given: from the worst status set on a component.
    package var derivedImpact: IncidentImpact {
        if let impact { return impact }
        let worst = (affected ?? []).compactMap(\.status).max { $0.severity < $1.severity }
        switch worst {
        case .majorOutage: return .critical
        case .partialOutage: return .major
        case .degradedPerformance: return .minor
        default: return .none
        }
    }

    package var serviceIDs: [ServiceID]? { affected?.map(\.serviceID) }

    private static func affected(_ fields: V1Fields) throws -> [AffectedService]? {
        let statuses = try fields.stringMap("components")
        let ids = try fields.strings("component_ids")
        if statuses == nil && ids == nil { return nil }
        var affected: [AffectedService] = []
        for (text, statusText) in (statuses ?? [:]).sorted(by: { $0.key < $1.key }) {
            let field = fields.field("components") + "[\(text.prefix(64))]"
            guard let status = ServiceStatus(input: statusText) else {
                throw Problem(
                    status: .unprocessableContent,
                    detail: "\(field) '\(statusText.prefix(64))' is not \(choices(ServiceStatus.self))", field: field)
            }
            affected.append(AffectedService(serviceID: try serviceID(text, fields, "components"), status: status))
        }
        for text in ids ?? [] where statuses?[text] == nil {
            affected.append(AffectedService(serviceID: try serviceID(text, fields, "component_ids"), status: nil))
        }
        return affected
    }

    private static func serviceID(_ text: String, _ fields: V1Fields, _ name: String) throws -> ServiceID {
        guard let id = ServiceID(text) else {
            throw Problem(
                status: .unprocessableContent,
                detail: "\(fields.field(name)) names '\(text.prefix(64))', which is not a component id (svc_...)",
                field: fields.field(name))
        }
        return id
    }
}
