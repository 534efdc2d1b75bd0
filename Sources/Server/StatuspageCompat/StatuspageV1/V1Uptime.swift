package import Engine
package import Foundation
import HTTP
import HashTreeCollections
package import Hummingbird
import Persistence
package import Wire

/// `GET .../components/{id}/uptime` and `.../component-groups/{id}/uptime`: Statuspage's uptime
/// document over `start`...`end` (days in the organization's zone, both included; default the last 90
/// days, at most 6 months), by the uptime rule of docs/RULES.md, which is Statuspage's own (partial
/// outage weighs 0.3). A group counts its members' time together.
package struct V1Uptime {
    package let state: OrgState
    package let range: DayRange

    /// The days the query asks for. - Throws: 422 for a malformed day, an end before the start, or more
    /// than 6 months.
    package init(_ request: Request, state: OrgState, now: Date) throws {
        self.state = state
        range = try DayRange(request, zone: state.settings.zone, now: now)
    }

    /// The document for `services` under the component's or group's `id` and `name`; `related` are the
    /// incidents that touched them in the range.
    package func document(id: String, name: String, services: [Service], related: [Incident]) -> JSONValue {
        var down = 0.0
        var counted = 0.0
        var major = 0.0
        var partial = 0.0
        var estimated = false
        for service in services {
            let history = state.statusHistory[service.id] ?? AppendLog()
            let folded = state.dailyUptime[service.id] ?? AppendLog()
            let report = UptimeRule.report(
                history: history, folded: folded, days: range.days, now: range.until, zone: state.settings.zone)
            let foldedDays = Set(folded.map(\.start))
            for day in report.days {
                down += day.downtimeSeconds
                counted += day.countedSeconds
            }
            // Raw changes give the seconds per status; days folded out of the raw window keep only
            // their weighted total, so those are attributed by the day's worst status (a warning says so).
            let raw = UptimeRule.secondsByStatus(history: history, from: range.from, to: range.until)
            major += raw[.majorOutage, default: 0]
            partial += raw[.partialOutage, default: 0]
            for day in report.days where foldedDays.contains(day.start) && day.downtimeSeconds > 0 {
                estimated = true
                if day.worst == .majorOutage {
                    major += day.downtimeSeconds
                } else {
                    partial += day.downtimeSeconds / 0.3
                }
            }
        }
        let uptime = counted > 0 ? max(0, 1 - down / counted) : 1
        var warnings: [JSONValue] = []
        if estimated {
            warnings.append(
                .string(
                    "days older than \(HistoryPolicy.rawWindowDays) days keep only their weighted downtime: major_outage and partial_outage are estimated for them"
                )
            )
        }
        return [
            "range_start": .string(range.firstDay), "range_end": .string(range.lastDay),
            "uptime_percentage": .number((uptime * 10_000).rounded() / 100),
            "major_outage": .integer(Int(major.rounded())),
            "partial_outage": .integer(Int(partial.rounded())), "warnings": .array(warnings), "id": .string(id),
            "name": .string(name),
            "related_events": .array(related.map { ["id": .string($0.id.rawValue), "name": .string($0.name)] }),
        ]
    }

    /// Whether an incident touched one of `services` during the range.
    package func touches(_ incident: Incident, _ services: Set<ServiceID>) -> Bool {
        incident.createdAt < range.until && (incident.resolvedAt ?? .distantFuture) >= range.from
            && incident.affected.contains { services.contains($0.serviceID) }
    }
}

/// A run of whole days in a zone, from `start` to `end` as `yyyy-MM-dd` (or RFC 3339) query values.
package struct DayRange {
    package let from: Date
    /// The end of the last day, or now when the last day is today.
    package let until: Date
    package let days: Int
    package let firstDay: String
    package let lastDay: String

    package static let daysMax = 183
    package static let defaultDays = 90

    package init(_ request: Request, zone: TimeZone, now: Date) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let query = request.uri.queryParameters
        let today = calendar.startOfDay(for: now)
        let lastStart = try Self.day(query.get("end"), "end", calendar) ?? today
        guard lastStart <= today else {
            throw Problem(status: .unprocessableContent, detail: "end must not be after today", field: "end")
        }
        let defaultStart = calendar.date(byAdding: .day, value: -(Self.defaultDays - 1), to: lastStart) ?? lastStart
        let firstStart = try Self.day(query.get("start"), "start", calendar) ?? defaultStart
        guard firstStart <= lastStart else {
            throw Problem(status: .unprocessableContent, detail: "start must not be after end", field: "start")
        }
        let count = (calendar.dateComponents([.day], from: firstStart, to: lastStart).day ?? 0) + 1
        guard count <= Self.daysMax else {
            throw Problem(
                status: .unprocessableContent, detail: "the range may be at most 6 months (\(Self.daysMax) days)",
                field: "start")
        }
        let nextDay = calendar.date(byAdding: .day, value: 1, to: lastStart) ?? now
        from = firstStart
        until = min(now, nextDay.addingTimeInterval(-0.001))
        days = count
        firstDay = Self.label(firstStart, calendar)
        lastDay = Self.label(lastStart, calendar)
    }

    private static func day(_ text: String?, _ name: String, _ calendar: Calendar) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1970...2999).contains(parts[0]),
            let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            label(date, calendar) == String(text.prefix(10))
        else {
            throw Problem(
                status: .unprocessableContent, detail: "\(name) must be a day such as 2026-11-23", field: name)
        }
        return date
    }

    private static func label(_ date: Date, _ calendar: Calendar) -> String {
        UptimeRule.dayLabel(date, calendar: calendar)
    }
}
