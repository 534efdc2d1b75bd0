public import Foundation  // Date is part of the public API.
import Synchronization

/// The period a rendering that shows uptime is good for: the organization's date (bars and the "today"
/// figure change at its midnight), plus the ten-minute slot while any service is not operational
/// (today's figure moves while something is down). It is part of those renderings' memo keys and
/// ETags, so a reader gets fresh bytes when the period turns and the same bytes within it.
///
/// Read on every page read (the fast path asks for it), so it is computed once per period and kept
/// with the view: a read within the period takes a lock and compares two dates, never a `Calendar`.
public final class UptimePeriod: Sendable {
    private let state: OrgState
    private let cached = Mutex<(label: String, from: Date, until: Date)?>(nil)

    init(_ state: OrgState) { self.state = state }

    /// The period's label at `now`, e.g. `2026-6-1` or `2026-6-1-2966880`.
    public func label(at now: Date) -> String {
        if let hit = cached.withLock({ entry in entry.flatMap { now >= $0.from && now < $0.until ? $0.label : nil } }) {
            return hit
        }
        let (label, from, until) = Self.compute(state, now)
        cached.withLock { $0 = (label, from, until) }
        return label
    }

    /// The label and the instants it holds between: the day in the organization's zone, cut to the
    /// ten-minute slot when a service is not operational.
    static func compute(_ state: OrgState, _ now: Date) -> (String, Date, Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: state.settings.timeZone) ?? .gmt
        let day = calendar.dateComponents([.year, .month, .day], from: now)
        let date = "\(day.year ?? 0)-\(day.month ?? 0)-\(day.day ?? 0)"
        let start = calendar.startOfDay(for: now)
        let end = calendar.date(byAdding: .day, value: 1, to: start) ?? now.addingTimeInterval(3_600)
        // From the status tally, not a walk over the services.
        if state.serviceTally[.operational] == state.services.count { return (date, start, end) }
        let slot = Int(now.timeIntervalSince1970) / 600
        let slotStart = Date(timeIntervalSince1970: Double(slot * 600))
        return (date + "-\(slot)", max(start, slotStart), min(end, slotStart.addingTimeInterval(600)))
    }
}
