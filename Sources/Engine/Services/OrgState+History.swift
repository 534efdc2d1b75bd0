public import Foundation  // Date is part of the public API.
import HashTreeCollections

/// How long raw status changes are kept before they are folded into daily totals: monitors flip statuses every minute for years, and the state must stay bounded.
public enum HistoryPolicy {
    /// Raw changes younger than this many days stay as they are.
    public static let rawWindowDays = 90
    /// Folded days older than this are dropped: no page shows more than a year of days.
    public static let dailyDaysMax = 400
}

extension OrgState {
    /// The start of the oldest day whose raw changes are kept, in the organization's zone.
    func historyCutoff(at now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.zone
        let today = calendar.startOfDay(for: now)
        return calendar.date(byAdding: .day, value: -HistoryPolicy.rawWindowDays, to: today) ?? today
    }

    /// Whether some service has raw changes before the cutoff to fold.
    public func needsHistoryCompaction(at now: Date) -> Bool {
        let cutoff = historyCutoff(at: now)
        return statusHistory.values.contains { ($0.first?.at ?? .distantFuture) < cutoff }
    }

    /// The timer's command: fold what fell out of the raw window (system only).
    func decideHistoryCompaction(at now: Date) -> [OrgChange] {
        needsHistoryCompaction(at: now) ? [.historyCompacted(before: historyCutoff(at: now))] : []
    }

    /// Folds every service's raw changes before `cutoff` (a day start) into exact per-day totals and
    /// keeps one anchor change at `cutoff` carrying the status in force then. Uptime reads the totals
    /// for old days and the raw changes for recent ones, so every figure stays what it was.
    mutating func compactHistory(before cutoff: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.zone
        for (service, history) in statusHistory {
            guard let first = history.first, first.at < cutoff else { continue }
            var days = dailyUptime[service] ?? AppendLog()
            var dayStart = calendar.startOfDay(for: first.at)
            while dayStart < cutoff {
                let next = calendar.date(byAdding: .day, value: 1, to: dayStart) ?? cutoff
                days.append(
                    UptimeRule.measure(history: history, from: dayStart, to: min(next, cutoff), calendar: calendar))
                dayStart = next
            }
            if days.count > HistoryPolicy.dailyDaysMax { days = AppendLog(days.suffix(HistoryPolicy.dailyDaysMax)) }
            dailyUptime[service] = days
            statusHistory[service] = Self.recentHistory(history, after: cutoff, service: service)
        }
    }

    /// The changes at or after `cutoff`, led by an anchor at `cutoff` with the status then in force.
    private static func recentHistory(_ history: AppendLog<StatusChange>, after cutoff: Date, service: ServiceID)
        -> AppendLog<StatusChange>
    {
        var recent = AppendLog<StatusChange>()
        let kept = history.drop { $0.at < cutoff }
        if kept.first?.at != cutoff, let inForce = history.last(where: { $0.at < cutoff }) {
            recent.append(
                StatusChange(
                    serviceID: service, from: nil, to: inForce.to, at: cutoff, by: inForce.by, reason: inForce.reason))
        }
        for change in kept { recent.append(change) }
        return recent
    }
}
