import Engine
import Foundation
import HashTreeCollections

/// A webhook notification in Statuspage's documented shape (docs/SUBSCRIBERS.md "Webhook payloads"):
/// `meta`, `page`, then either `incident` (with `incident_updates`, newest first) or `component_update`
/// and `component`. Maintenance windows are incidents with `scheduled_for` and `scheduled_until`, as
/// Statuspage sends its scheduled incidents. Keys are snake_case and enums lowercase.
struct WebhookPayload: Encodable {
    struct Meta: Encodable {
        let unsubscribe: String
        let documentation: String
    }

    struct Page: Encodable {
        let id: String
        let statusIndicator: String
        let statusDescription: String
    }

    struct IncidentUpdate: Encodable {
        let id: String
        let incidentId: String
        let status: String
        let body: String
        let createdAt: Date
        let updatedAt: Date
        let displayAt: Date
        let wantsTwitterUpdate = false
        let twitterUpdatedAt: Date? = nil

        /// Every member, nulls included, as Statuspage sends them.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(incidentId, forKey: .incidentId)
            try container.encode(status, forKey: .status)
            try container.encode(body, forKey: .body)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(updatedAt, forKey: .updatedAt)
            try container.encode(displayAt, forKey: .displayAt)
            try container.encode(wantsTwitterUpdate, forKey: .wantsTwitterUpdate)
            try container.encode(twitterUpdatedAt, forKey: .twitterUpdatedAt)
        }

        private enum CodingKeys: String, CodingKey {
            case id, incidentId, status, body, createdAt, updatedAt, displayAt, wantsTwitterUpdate, twitterUpdatedAt
        }
    }

    struct Incident: Encodable {
        let id: String
        let organizationId: String
        let name: String
        let status: String
        let impact: String
        let impactOverride: String? = nil
        let createdAt: Date
        let updatedAt: Date
        let monitoringAt: Date?
        let resolvedAt: Date?
        let shortlink: String
        let backfilled: Bool
        let scheduledFor: Date?
        let scheduledUntil: Date?
        let scheduledAutoTransition: Bool
        let scheduledRemindPrior = false
        let scheduledRemindedAt: Date? = nil
        let postmortemBody: String? = nil
        let postmortemBodyLastUpdatedAt: Date? = nil
        let postmortemIgnored = false
        let postmortemNotifiedSubscribers = false
        let postmortemNotifiedTwitter = false
        let postmortemPublishedAt: Date? = nil
        let incidentUpdates: [IncidentUpdate]
        let components: [Component]

        /// Every member, nulls included (a synthesized encoder leaves a nil out): clients of Statuspage's
        /// payload read `"resolved_at": null`, not a missing key.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(organizationId, forKey: .organizationId)
            try container.encode(name, forKey: .name)
            try container.encode(status, forKey: .status)
            try container.encode(impact, forKey: .impact)
            try container.encode(impactOverride, forKey: .impactOverride)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(updatedAt, forKey: .updatedAt)
            try container.encode(monitoringAt, forKey: .monitoringAt)
            try container.encode(resolvedAt, forKey: .resolvedAt)
            try container.encode(shortlink, forKey: .shortlink)
            try container.encode(backfilled, forKey: .backfilled)
            try container.encode(scheduledFor, forKey: .scheduledFor)
            try container.encode(scheduledUntil, forKey: .scheduledUntil)
            try container.encode(scheduledAutoTransition, forKey: .scheduledAutoTransition)
            try container.encode(scheduledRemindPrior, forKey: .scheduledRemindPrior)
            try container.encode(scheduledRemindedAt, forKey: .scheduledRemindedAt)
            try container.encode(postmortemBody, forKey: .postmortemBody)
            try container.encode(postmortemBodyLastUpdatedAt, forKey: .postmortemBodyLastUpdatedAt)
            try container.encode(postmortemIgnored, forKey: .postmortemIgnored)
            try container.encode(postmortemNotifiedSubscribers, forKey: .postmortemNotifiedSubscribers)
            try container.encode(postmortemNotifiedTwitter, forKey: .postmortemNotifiedTwitter)
            try container.encode(postmortemPublishedAt, forKey: .postmortemPublishedAt)
            try container.encode(incidentUpdates, forKey: .incidentUpdates)
            try container.encode(components, forKey: .components)
        }

        private enum CodingKeys: String, CodingKey {
            case id, organizationId, name, status, impact, impactOverride, createdAt, updatedAt, monitoringAt
            case resolvedAt, shortlink, backfilled, scheduledFor, scheduledUntil, scheduledAutoTransition
            case scheduledRemindPrior, scheduledRemindedAt, postmortemBody, postmortemBodyLastUpdatedAt
            case postmortemIgnored, postmortemNotifiedSubscribers, postmortemNotifiedTwitter, postmortemPublishedAt
            case incidentUpdates, components
        }
    }

    struct ComponentUpdate: Encodable {
        let id: String
        let componentId: String
        let oldStatus: String
        let newStatus: String
        let createdAt: Date
    }

    struct Component: Encodable {
        let id: String
        let name: String
        let status: String
        let createdAt: Date
    }

    let meta: Meta
    let page: Page
    let incident: Incident?
    let componentUpdate: ComponentUpdate?
    let component: Component?

    /// Absent keys stay absent (`incident` or `component_update`, never both, never null: clients tell
    /// the two kinds apart by which key is there).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(meta, forKey: .meta)
        try container.encode(page, forKey: .page)
        try container.encodeIfPresent(incident, forKey: .incident)
        try container.encodeIfPresent(componentUpdate, forKey: .componentUpdate)
        try container.encodeIfPresent(component, forKey: .component)
    }

    private enum CodingKeys: String, CodingKey {
        case meta, page, incident, componentUpdate, component
    }
}

extension WebhookPayload.Incident {
    init(_ incident: Incident, org: OrgState, pageURL: String) {
        let updates = incident.updates.reversed().map { update in
            WebhookPayload.IncidentUpdate(
                id: update.id.rawValue, incidentId: incident.id.rawValue, status: update.status.rawValue,
                body: update.body, createdAt: update.createdAt, updatedAt: update.createdAt,
                displayAt: update.createdAt)
        }
        self.init(
            id: incident.id.rawValue, organizationId: org.id.rawValue, name: incident.name,
            status: incident.status.rawValue, impact: incident.impact.rawValue, createdAt: incident.createdAt,
            updatedAt: incident.updatedAt,
            monitoringAt: incident.updates.last { $0.status == .monitoring }?.createdAt,
            resolvedAt: incident.resolvedAt, shortlink: pageURL + "/incidents/" + incident.id.rawValue,
            backfilled: incident.updates.first?.status == .resolved, scheduledFor: nil, scheduledUntil: nil,
            scheduledAutoTransition: false, incidentUpdates: updates,
            components: incident.affected.compactMap { org.services[$0.serviceID] }.map(WebhookPayload.Component.init))
    }

    /// A maintenance window as Statuspage sends a scheduled incident: its status among `scheduled`,
    /// `in_progress`, `verifying`, `completed` (a cancelled window is `completed`: Statuspage has no
    /// other end for one), impact `maintenance`.
    init(_ window: Maintenance, org: OrgState, pageURL: String) {
        var updates = window.updates.reversed().map { update in
            WebhookPayload.IncidentUpdate(
                id: update.id.rawValue, incidentId: window.id.rawValue, status: Self.status(update.status),
                body: update.body, createdAt: update.createdAt, updatedAt: update.createdAt,
                displayAt: update.createdAt)
        }
        // Statuspage's scheduled incident starts with a `scheduled` update; a window here starts with
        // none, so its scheduling stands as the oldest update, under the window's own id.
        updates.append(
            WebhookPayload.IncidentUpdate(
                id: window.id.rawValue, incidentId: window.id.rawValue, status: "scheduled",
                body: window.description.isEmpty ? "Scheduled maintenance: \(window.name)." : window.description,
                createdAt: window.createdAt, updatedAt: window.createdAt, displayAt: window.createdAt))
        self.init(
            id: window.id.rawValue, organizationId: org.id.rawValue, name: window.name,
            status: Self.status(window.status), impact: "maintenance", createdAt: window.createdAt,
            updatedAt: window.updatedAt, monitoringAt: nil,
            resolvedAt: window.status.isFinal ? window.updatedAt : nil,
            shortlink: pageURL + "/maintenance/" + window.id.rawValue, backfilled: false,
            scheduledFor: window.scheduledStart, scheduledUntil: window.scheduledEnd,
            scheduledAutoTransition: window.autoStart || window.autoComplete, incidentUpdates: updates,
            components: window.affected.compactMap { org.services[$0] }.map(WebhookPayload.Component.init))
    }

    private static func status(_ status: MaintenanceStatus) -> String {
        status == .cancelled ? "completed" : status.rawValue
    }
}

extension WebhookPayload.Component {
    init(_ service: Service) {
        self.init(
            id: service.id.rawValue, name: service.name, status: service.status.rawValue, createdAt: service.createdAt)
    }
}
