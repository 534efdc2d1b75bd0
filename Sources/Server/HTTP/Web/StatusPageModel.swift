package import Engine
package import Foundation
import HashTreeCollections
import Live
import Wire

/// What the public HTML pages show, as the plain values the Mustache templates read (`PageTemplates`):
/// strings, booleans and lists only, every user-written text left as it is for the template to escape
/// (`{{...}}` escapes for HTML text and attributes; no template uses `{{{...}}}`).
package struct StatusPageModel {
    package let state: OrgState
    package let now: Date
    package let time: WebTime

    package init(_ state: OrgState, now: Date) {
        self.state = state
        self.now = now
        time = WebTime(zone: state.settings.zone)
    }

    /// The members every page shares: the organization, its branding and the live feed's seq.
    package func frame(seq: Seq, title: String) -> [String: Any] {
        let settings = state.settings
        var values: [String: Any] = [
            "name": settings.name, "slug": settings.slug, "seq": String(seq.rawValue), "title": title,
            "timeZone": settings.timeZone,
        ]
        if let logo = settings.branding.logoURL { values["logo"] = logo }
        return values
    }

    /// `/status/{slug}`: the banner, incidents under way, maintenance, and the services with their bars.
    package func statusPage(seq: Seq, mailAvailable: Bool = false) -> [String: Any] {
        var values = frame(seq: seq, title: state.settings.name + " status")
        // A form that posts without JavaScript (`PublicSubscribeRoutes`).
        values["subscribe"] = mailAvailable && state.subscriptionSettings.channels.contains(.email)
        let status = state.pageStatus
        values["indicator"] = status.indicator.rawValue
        values["description"] = status.description
        let content = PageContent(state)
        values["incidents"] = content.openIncidents.map(incident)
        values["anyIncidents"] = !content.openIncidents.isEmpty
        values["activeMaintenance"] = content.maintenanceUnderway.map(maintenance)
        values["anyActiveMaintenance"] = !content.maintenanceUnderway.isEmpty
        values["upcomingMaintenance"] = content.maintenanceUpcoming.map(maintenance)
        values["anyUpcoming"] = !content.maintenanceUpcoming.isEmpty
        values["sections"] = sections(content)
        return values
    }

    /// `/status/{slug}/incidents/{id}` and `/status/{slug}/maintenance/{id}`.
    package func permalink(seq: Seq, incident: Incident? = nil, window: Maintenance? = nil) -> [String: Any] {
        var values = frame(seq: seq, title: (incident?.name ?? window?.name ?? "") + " · " + state.settings.name)
        if let incident { values["incident"] = self.incident(incident) }
        if let window { values["window"] = maintenance(window) }
        return values
    }

    /// `/status/{slug}/history`: past incidents, newest first, with a link to the next page.
    package func history(seq: Seq, incidents: [Incident], older: String?) -> [String: Any] {
        var values = frame(seq: seq, title: state.settings.name + " incident history")
        values["past"] = incidents.map(incident)
        values["empty"] = incidents.isEmpty
        if let older { values["older"] = older }
        return values
    }

    // MARK: Parts

    package func incident(_ incident: Incident) -> [String: Any] {
        Self.present([
            "name": incident.name, "link": "/status/\(state.settings.slug)/incidents/\(incident.id.rawValue)",
            "anchor": incident.id.rawValue,
            "impact": incident.impact.rawValue, "status": Self.words(incident.status.rawValue),
            "active": incident.status.isActive, "started": time.moment(incident.createdAt),
            "startedISO": WebTime.iso(incident.createdAt),
            "resolved": incident.resolvedAt.map(time.moment) ?? "",
            "affected": incident.affected.compactMap { state.services[$0.serviceID]?.name }.joined(separator: ", "),
            "updates": incident.updates.reversed().map { timelineEntry($0.status.rawValue, $0.body, $0.createdAt) },
        ])
    }

    package func maintenance(_ window: Maintenance) -> [String: Any] {
        Self.present([
            "name": window.name, "link": "/status/\(state.settings.slug)/maintenance/\(window.id.rawValue)",
            "description": window.description, "status": Self.words(window.status.rawValue),
            "from": time.moment(window.scheduledStart), "until": time.moment(window.scheduledEnd),
            "fromISO": WebTime.iso(window.scheduledStart), "untilISO": WebTime.iso(window.scheduledEnd),
            "affected": window.affected.compactMap { state.services[$0]?.name }.joined(separator: ", "),
            "hasUpdates": !window.updates.isEmpty,
            "updates": window.updates.reversed().map { timelineEntry($0.status.rawValue, $0.body, $0.createdAt) },
        ])
    }

    /// One update of a timeline, newest first in the templates.
    private func timelineEntry(_ status: String, _ body: String, _ at: Date) -> [String: Any] {
        ["status": Self.words(status), "body": body, "when": time.moment(at), "iso": WebTime.iso(at)]
    }

    /// The members that say something: an empty text is left out, since a Mustache section shows for
    /// any string, empty or not.
    private static func present(_ values: [String: Any]) -> [String: Any] {
        values.filter { ($0.value as? String).map { !$0.isEmpty } ?? true }
    }

    /// Ungrouped services first, then each group with members, in page order.
    private func sections(_ content: PageContent) -> [[String: Any]] {
        var sections: [[String: Any]] = []
        if !content.ungrouped.isEmpty { sections.append(["services": content.ungrouped.map(service)]) }
        for section in content.sections where !section.services.isEmpty {
            sections.append(["groupName": section.group.name, "services": section.services.map(service)])
        }
        return sections
    }

    package static let barDays = 90

    private func service(_ service: Service) -> [String: Any] {
        let report = state.uptime(of: service.id, days: Self.barDays, now: now)
        let days = report?.days ?? []
        let uptime = report?.overall.map(Self.percent) ?? "no data"
        return [
            "name": service.name, "description": service.description, "status": service.status.rawValue,
            "statusLabel": Self.words(service.status.rawValue), "uptime": uptime,
            "days": days.enumerated().map { index, day in
                let end = index + 1 < days.count ? days[index + 1].start : now
                return [
                    "worst": day.worst?.rawValue ?? "none",
                    "title": dayTitle(day, incidents: incidents(of: service.id, from: day.start, to: end)),
                ]
            },
        ]
    }

    /// A bar's tooltip: the date, the uptime, and the incidents of the day.
    private func dayTitle(_ day: DayUptime, incidents: [Incident]) -> String {
        var text = time.day(day.start) + ": " + (day.uptime.map { Self.percent($0) + " uptime" } ?? "no data")
        if !incidents.isEmpty { text += " · " + incidents.map(\.name).joined(separator: "; ") }
        return text
    }

    private func incidents(of service: ServiceID, from start: Date, to end: Date) -> [Incident] {
        state.incidents.values.filter { incident in
            incident.createdAt < end && (incident.resolvedAt ?? now) >= start
                && incident.affected.contains { $0.serviceID == service }
        }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    package static func percent(_ fraction: Double) -> String {
        String(format: "%.2f%%", (fraction * 10_000).rounded(.down) / 100)
    }

    /// `degraded_performance` -> `Degraded performance`.
    package static func words(_ raw: String) -> String {
        let spaced = raw.replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }
}

/// Times as the page shows them: in the organization's zone, with the zone named.
package struct WebTime {
    package let zone: TimeZone

    package func moment(_ date: Date) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .shortened, locale: Locale(identifier: "en_US_POSIX"))
        style.timeZone = zone
        return date.formatted(style) + " " + (zone.abbreviation(for: date) ?? zone.identifier)
    }

    package func day(_ date: Date) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .omitted, locale: Locale(identifier: "en_US_POSIX"))
        style.timeZone = zone
        return date.formatted(style)
    }

    package static func iso(_ date: Date) -> String { date.formatted(.iso8601) }
}
