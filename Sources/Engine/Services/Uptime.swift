public import Foundation  // Date is part of the public values.
import HashTreeCollections

/// One day of one service's uptime, in the organization's time zone.
public struct DayUptime: Hashable, Sendable {
    /// The start of the day (local midnight), as an instant.
    public let start: Date
    /// The calendar date in the organization's zone, `yyyy-MM-dd`.
    public let date: String
    /// 0...1, or `nil` for no data: before the service existed, or a day spent wholly in maintenance.
    public let uptime: Double?
    /// The worst status the service had during the day, `nil` before it existed.
    public let worst: ServiceStatus?
    /// Seconds counted down: major outage plus 0.3 of partial outage.
    public let downtimeSeconds: Double
    /// Seconds the day counts over: observed time less maintenance.
    public let countedSeconds: Double

    package init(
        start: Date, date: String, uptime: Double?, worst: ServiceStatus?, downtimeSeconds: Double,
        countedSeconds: Double
    ) {
        self.start = start
        self.date = date
        self.uptime = uptime
        self.worst = worst
        self.downtimeSeconds = downtimeSeconds
        self.countedSeconds = countedSeconds
    }
}

/// A service's (or a group's) uptime over a run of days.
public struct UptimeReport: Hashable, Sendable {
    public let days: [DayUptime]
    /// Over the whole run: 1 - total downtime / total counted time; `nil` without data.
    public let overall: Double?
}

/// The uptime rule (docs/RULES.md), the one other status pages use so numbers compare:
/// downtime = minutes in `major_outage` + 0.3 x minutes in `partial_outage`; `degraded_performance`
/// counts as up; `under_maintenance` leaves the denominator; days before the service existed show no
/// data; today counts up to `now`. Days follow the organization's zone, so a DST day has 23 or 25 hours.
public enum UptimeRule {
    /// The weight of a status in downtime.
    public static func downtimeWeight(_ status: ServiceStatus) -> Double {
        switch status {
        case .majorOutage: 1
        case .partialOutage: 0.3
        case .operational, .degradedPerformance, .underMaintenance: 0
        }
    }

    /// Per-day uptime of one history over the `days` days that end with the day holding `now`.
    /// - Parameter history: the service's status changes in time order; the first is its creation.
    /// - Parameter folded: totals of days folded out of the raw window; a day found here is taken as is.
    public static func report(
        history: some RandomAccessCollection<StatusChange>, folded: some Sequence<DayUptime> = [DayUptime](), days: Int,
        now: Date, zone: TimeZone
    ) -> UptimeReport {
        precondition(days > 0, "asked for \(days) days")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = calendar.startOfDay(for: now)
        let starts = (0..<days).reversed().compactMap { calendar.date(byAdding: .day, value: -$0, to: today) }
        let foldedByStart = Dictionary(folded.map { ($0.start, $0) }, uniquingKeysWith: { $1 })
        var result: [DayUptime] = []
        var downtime = 0.0
        var counted = 0.0
        for (index, start) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1] : now
            let day =
                foldedByStart[start] ?? measure(history: history, from: start, to: min(end, now), calendar: calendar)
            downtime += day.downtimeSeconds
            counted += day.countedSeconds
            result.append(day)
        }
        return UptimeReport(days: result, overall: counted > 0 ? max(0, 1 - downtime / counted) : nil)
    }

    static func measure<History: RandomAccessCollection<StatusChange>>(
        history: History, from start: Date, to end: Date, calendar: Calendar
    ) -> DayUptime {
        let date = dayLabel(start, calendar: calendar)
        guard let created = history.first?.at, created < end else {
            return DayUptime(start: start, date: date, uptime: nil, worst: nil, downtimeSeconds: 0, countedSeconds: 0)
        }
        let seconds = secondsByStatus(history: history, from: start, to: end)
        let down = seconds.reduce(0) { $0 + $1.value * downtimeWeight($1.key) }
        let observed = seconds.values.reduce(0, +)
        let countedSeconds = observed - seconds[.underMaintenance, default: 0]
        let worst = seconds.keys.max { $0.severity < $1.severity }
        return DayUptime(
            start: start, date: date, uptime: countedSeconds > 0 ? max(0, 1 - down / countedSeconds) : nil,
            worst: worst, downtimeSeconds: down, countedSeconds: countedSeconds)
    }

    /// How long the history held each status between `start` and `end` (nothing before its first change).
    public static func secondsByStatus<History: RandomAccessCollection<StatusChange>>(
        history: History, from start: Date, to end: Date
    ) -> [ServiceStatus: Double] {
        var seconds: [ServiceStatus: Double] = [:]
        guard let created = history.first?.at, created < end else { return seconds }
        // The change in force at `start` is the last one at or before it; binary search for it.
        var index = lastIndex(in: history, atOrBefore: max(start, created))
        while index != history.endIndex, history[index].at < end {
            let next = history.index(after: index)
            let segmentEnd = next == history.endIndex ? end : min(history[next].at, end)
            let segmentStart = max(history[index].at, start)
            if segmentEnd > segmentStart {
                seconds[history[index].to, default: 0] += segmentEnd.timeIntervalSince(segmentStart)
            }
            index = next
        }
        return seconds
    }

    private static func lastIndex<History: RandomAccessCollection<StatusChange>>(
        in history: History, atOrBefore instant: Date
    ) -> History.Index {
        var low = history.startIndex
        var high = history.endIndex
        while low < high {  // first index whose change is after `instant`
            let middle = history.index(low, offsetBy: history.distance(from: low, to: high) / 2)
            if history[middle].at <= instant { low = history.index(after: middle) } else { high = middle }
        }
        return low == history.startIndex ? low : history.index(before: low)
    }

    /// A day as `yyyy-MM-dd` in the calendar's zone.
    public static func dayLabel(_ start: Date, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: start)
        let year = parts.year ?? 0
        let month = parts.month ?? 0
        let day = parts.day ?? 0
        return String(format: "%04d-%02d-%02d", year, month, day)
    }
}

extension OrgState {
    /// A service's uptime over the `days` days ending today in the organization's zone.
    public func uptime(of service: ServiceID, days: Int, now: Date) -> UptimeReport? {
        guard let history = statusHistory[service] else { return nil }
        return UptimeRule.report(
            history: history, folded: dailyUptime[service] ?? AppendLog(), days: days, now: now, zone: settings.zone)
    }
}
