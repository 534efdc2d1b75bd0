package import Engine
package import Foundation
import HTTP
import HashTreeCollections
package import Wire

/// An organization in the shapes of Statuspage's public API v2 (`summary.json` and its parts), so
/// that aggregators, exporters and bots that read Statuspage read statusd by a change of URL.
/// `Tests/EndToEndTests/Schemas/statuspage-v2` holds the shapes as JSON Schemas. Built as `JSONValue` because Statuspage writes
/// absent values as explicit `null`s, which Swift's synthesized encoding would leave out.
///
/// Mapping: services are components and groups are group components (`group: true`, their members'
/// ids in `components`, the worst member status as theirs); maintenance windows are incidents with
/// impact `maintenance` and `scheduled_for`/`scheduled_until`, `cancelled` shown as `completed`; the
/// page indicator `maintenance` is `none` (Statuspage's enum has no such indicator) with its words.
package struct StatuspagePublic {
    package let state: OrgState
    /// Where the organization's page is served (`--public-url`), for `url` and `shortlink`.
    package let pageURL: String

    package init(_ state: OrgState, baseURL: String) {
        self.state = state
        pageURL = baseURL + "/status/" + state.settings.slug
    }

    // MARK: Documents

    package var summary: JSONValue {
        let content = PageContent(state)
        return [
            "page": page, "components": .array(components(content)),
            "incidents": .array(content.openIncidents.map(incident)),
            "scheduled_maintenances": .array(
                (content.maintenanceUnderway + content.maintenanceUpcoming).map(maintenance)),
            "status": status,
        ]
    }

    package var statusDocument: JSONValue { ["page": page, "status": status] }

    package var componentsDocument: JSONValue { ["page": page, "components": .array(components(PageContent(state)))] }

    /// The most recent incidents and maintenance in memory (50, newest first), as Statuspage lists them.
    package var incidentsDocument: JSONValue {
        let incidents = state.incidents.values.map { ($0.createdAt, $0.id.rawValue, incident($0)) }
        let windows = state.maintenance.values.map { ($0.createdAt, $0.id.rawValue, maintenance($0)) }
        let recent = (incidents + windows).sorted { ($0.0, $0.1) > ($1.0, $1.1) }.prefix(Self.recentLimit).map(\.2)
        return ["page": page, "incidents": .array(Array(recent))]
    }

    package var unresolvedDocument: JSONValue {
        ["page": page, "incidents": .array(PageContent(state).openIncidents.map(incident))]
    }

    package var maintenanceDocument: JSONValue {
        let recent = state.maintenance.values.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
            .prefix(Self.recentLimit)
        return ["page": page, "scheduled_maintenances": .array(recent.map(maintenance))]
    }

    package var upcomingDocument: JSONValue {
        ["page": page, "scheduled_maintenances": .array(PageContent(state).maintenanceUpcoming.map(maintenance))]
    }

    package var activeDocument: JSONValue {
        ["page": page, "scheduled_maintenances": .array(PageContent(state).maintenanceUnderway.map(maintenance))]
    }

    package static let recentLimit = 50

    // MARK: Parts

    private var page: JSONValue {
        [
            "id": .string(state.id.rawValue), "name": .string(state.settings.name), "url": .string(pageURL),
            "time_zone": .string(state.settings.timeZone), "updated_at": Self.date(state.updatedAt),
        ]
    }

    private var status: JSONValue {
        let status = state.pageStatus
        let indicator = status.indicator == .maintenance ? "none" : status.indicator.rawValue
        return ["indicator": .string(indicator), "description": .string(status.description)]
    }

    /// Components in page order: ungrouped services first, then each group followed by its members.
    package func components(_ content: PageContent) -> [JSONValue] {
        var out = content.ungrouped.map(component)
        for section in content.sections {
            out.append(groupComponent(section.group, members: section.services))
            out += section.services.map(component)
        }
        return out
    }

    package func component(_ service: Service) -> JSONValue {
        [
            "id": .string(service.id.rawValue), "name": .string(service.name),
            "status": .string(service.status.rawValue), "created_at": Self.date(service.createdAt),
            "updated_at": Self.date(service.updatedAt), "position": .integer(service.position),
            "description": service.description.isEmpty ? .null : .string(service.description), "showcase": true,
            "start_date": .null, "group_id": service.groupID.map { .string($0.rawValue) } ?? .null,
            "page_id": .string(state.id.rawValue), "group": false, "only_show_if_degraded": false,
        ]
    }

    package func groupComponent(_ group: ServiceGroup, members: [Service]) -> JSONValue {
        let worst = members.map(\.status).max { $0.severity < $1.severity } ?? .operational
        return [
            "id": .string(group.id.rawValue), "name": .string(group.name), "status": .string(worst.rawValue),
            "created_at": Self.date(group.createdAt), "updated_at": Self.date(group.updatedAt),
            "position": .integer(group.position),
            "description": group.description.isEmpty ? .null : .string(group.description), "showcase": false,
            "start_date": .null, "group_id": .null, "page_id": .string(state.id.rawValue), "group": true,
            "only_show_if_degraded": false, "components": .array(members.map { .string($0.id.rawValue) }),
        ]
    }

    package func incident(_ incident: Incident) -> JSONValue {
        let monitoring = incident.updates.first { $0.status == .monitoring }?.createdAt
        let updates = incident.updates.reversed().map { update in
            self.update(
                id: update.id, status: update.status.rawValue, body: update.body, owner: incident.id.rawValue,
                at: update.createdAt,
                affected: changes(
                    at: update.createdAt, by: [.incident(incident.id), .restoredAfterIncident(incident.id)]))
        }
        return record(
            id: incident.id.rawValue, name: incident.name, status: incident.status.rawValue,
            createdAt: incident.createdAt, updatedAt: incident.updatedAt, monitoringAt: monitoring,
            resolvedAt: incident.resolvedAt, impact: incident.impact.rawValue, updates: updates,
            services: incident.affected.map(\.serviceID), path: "/incidents/" + incident.id.rawValue)
    }

    package func maintenance(_ window: Maintenance) -> JSONValue {
        let updates = window.updates.reversed().map { update in
            self.update(
                id: update.id, status: Self.status(update.status), body: update.body, owner: window.id.rawValue,
                at: update.createdAt,
                affected: changes(
                    at: update.createdAt, by: [.maintenance(window.id), .restoredAfterMaintenance(window.id)]))
        }
        let ended = window.status == .completed || window.status == .cancelled
        var fields = record(
            id: window.id.rawValue, name: window.name, status: Self.status(window.status),
            createdAt: window.createdAt, updatedAt: window.updatedAt, monitoringAt: nil,
            resolvedAt: ended ? window.updates.last?.createdAt ?? window.updatedAt : nil, impact: "maintenance",
            updates: updates, services: window.affected, path: "/maintenance/" + window.id.rawValue
        ).members
        fields["scheduled_for"] = Self.date(window.scheduledStart)
        fields["scheduled_until"] = Self.date(window.scheduledEnd)
        return .object(fields)
    }

    /// The fields incidents and maintenance share.
    private func record(
        id: String, name: String, status: String, createdAt: Date, updatedAt: Date, monitoringAt: Date?,
        resolvedAt: Date?, impact: String, updates: [JSONValue], services: [ServiceID], path: String
    ) -> JSONValue {
        [
            "id": .string(id), "name": .string(name), "status": .string(status), "created_at": Self.date(createdAt),
            "updated_at": Self.date(updatedAt), "monitoring_at": monitoringAt.map(Self.date) ?? .null,
            "resolved_at": resolvedAt.map(Self.date) ?? .null, "impact": .string(impact),
            "shortlink": .string(pageURL + path), "started_at": Self.date(createdAt),
            "page_id": .string(state.id.rawValue), "incident_updates": .array(updates),
            "components": .array(services.compactMap { state.services[$0] }.map(component)),
        ]
    }

    private func update(
        id: UpdateID, status: String, body: String, owner: String, at: Date, affected: [StatusChange]
    ) -> JSONValue {
        [
            "id": .string(id.rawValue), "status": .string(status), "body": .string(body),
            "incident_id": .string(owner), "created_at": Self.date(at), "updated_at": Self.date(at),
            "display_at": Self.date(at),
            "affected_components": affected.isEmpty
                ? .null
                : .array(
                    affected.map { change in
                        [
                            "code": .string(change.serviceID.rawValue),
                            "name": .string(state.services[change.serviceID]?.name ?? ""),
                            "old_status": .string((change.from ?? change.to).rawValue),
                            "new_status": .string(change.to.rawValue),
                        ]
                    }),
            "deliver_notifications": true, "custom_tweet": .null, "tweet_id": .null,
        ]
    }

    /// The status changes an update made: those its incident or window made at the same moment.
    private func changes(at moment: Date, by reasons: [StatusReason]) -> [StatusChange] {
        var found: [StatusChange] = []
        for history in state.statusHistory.values {
            for change in history.reversed() {
                if change.at < moment { break }
                if change.at == moment && reasons.contains(change.reason) { found.append(change) }
            }
        }
        return found.sorted { $0.serviceID.rawValue < $1.serviceID.rawValue }
    }

    // MARK: Values

    /// Statuspage's maintenance statuses: `cancelled` is not one, `completed` is the nearest.
    private static func status(_ status: MaintenanceStatus) -> String {
        status == .cancelled ? "completed" : status.rawValue
    }

    /// ISO 8601 with milliseconds in UTC, as Statuspage writes times.
    package static func date(_ date: Date) -> JSONValue {
        .string(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}
