import Foundation
import HashTreeCollections

/// The page-wide status: one word and a sentence, as status pages show it at the top.
public struct PageStatus: Hashable, Sendable, Codable {
    public enum Indicator: String, Hashable, Sendable, Codable {
        case none, minor, major, critical, maintenance

        /// Higher is worse; `maintenance` shows only when nothing is worse than `none`.
        var rank: Int {
            switch self {
            case .none: 0
            case .maintenance: 1
            case .minor: 2
            case .major: 3
            case .critical: 4
            }
        }
    }

    public let indicator: Indicator
    public let description: String

    package init(indicator: Indicator, description: String) {
        self.indicator = indicator
        self.description = description
    }
}

extension OrgState {
    /// The page indicator (API.md "Coupling rules"): the worse of the worst unresolved incident impact
    /// and the worst service status; `maintenance` only when nothing is worse.
    ///
    /// Services map so: `major_outage` -> major ("Major System Outage"), or critical when every
    /// service is down; `partial_outage` -> minor ("Partial System Outage"), or major when half or
    /// more of the services are in an outage; `degraded_performance` -> minor ("Degraded System
    /// Performance"); `under_maintenance`, or a window in progress -> maintenance.
    /// Incidents map their impact: minor -> minor, major -> major, critical -> critical.
    public var pageStatus: PageStatus {
        let candidates = [serviceStatusCandidate, incidentCandidate, maintenanceCandidate].compactMap { $0 }
        return candidates.max { $0.indicator.rank < $1.indicator.rank }
            ?? PageStatus(indicator: .none, description: "All Systems Operational")
    }

    private var serviceStatusCandidate: PageStatus? {
        let statuses = services.values.map(\.status)
        let outages = statuses.count { $0 == .majorOutage || $0 == .partialOutage }
        let majors = statuses.count { $0 == .majorOutage }
        if majors > 0 && majors == statuses.count {
            return PageStatus(indicator: .critical, description: "Major System Outage")
        }
        if majors > 0 { return PageStatus(indicator: .major, description: "Major System Outage") }
        if outages > 0 {
            let widespread = outages * 2 >= statuses.count
            return PageStatus(indicator: widespread ? .major : .minor, description: "Partial System Outage")
        }
        if statuses.contains(.degradedPerformance) {
            return PageStatus(indicator: .minor, description: "Degraded System Performance")
        }
        if statuses.contains(.underMaintenance) {
            return PageStatus(indicator: .maintenance, description: "Service Under Maintenance")
        }
        return nil
    }

    private var incidentCandidate: PageStatus? {
        let worst = incidents.values.filter { $0.status.isActive }.map(\.impact).max { $0.severity < $1.severity }
        switch worst {
        case .minor: return PageStatus(indicator: .minor, description: "Minor Service Outage")
        case .major: return PageStatus(indicator: .major, description: "Major Service Outage")
        case .critical: return PageStatus(indicator: .critical, description: "Critical Service Outage")
        case nil, .some(.none): return nil
        }
    }

    private var maintenanceCandidate: PageStatus? {
        maintenance.values.contains { $0.status.isUnderway }
            ? PageStatus(indicator: .maintenance, description: "Service Under Maintenance") : nil
    }
}
