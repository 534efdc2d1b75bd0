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
    /// The page indicator: the worse of the worst unresolved incident impact
    /// and the worst service status; `maintenance` only when nothing is worse.
    ///
    /// Services map so: `major_outage` -> major ("Major System Outage"), or critical when every
    /// service is down; `partial_outage` -> minor ("Partial System Outage"), or major when half or
    /// more of the services are in an outage; `degraded_performance` -> minor ("Degraded System
    /// Performance"); `under_maintenance`, or a window in progress -> maintenance.
    /// Incidents map their impact: minor -> minor, major -> major, critical -> critical.
    public var pageStatus: PageStatus {
        var worst = PageStatus(indicator: .none, description: "All Systems Operational")
        for candidate in [serviceStatusCandidate, incidentCandidate, maintenanceCandidate] {
            if let candidate, candidate.indicator.rank > worst.indicator.rank { worst = candidate }
        }
        return worst
    }

    /// The change announcing the page indicator when it differs from `announced`, else nil. The actor
    /// appends it after a command's changes (derived from the state they made, never decided alone).
    public func pageStatusChange(from announced: PageStatus) -> OrgChange? {
        let status = pageStatus
        return status == announced ? nil : .pageStatusChanged(status)
    }

    private var serviceStatusCandidate: PageStatus? {
        let majors = serviceTally[.majorOutage]
        let outages = majors + serviceTally[.partialOutage]
        if majors > 0 && majors == serviceTally.total {
            return PageStatus(indicator: .critical, description: "Major System Outage")
        }
        if majors > 0 { return PageStatus(indicator: .major, description: "Major System Outage") }
        if outages > 0 {
            let widespread = outages * 2 >= serviceTally.total
            return PageStatus(indicator: widespread ? .major : .minor, description: "Partial System Outage")
        }
        if serviceTally[.degradedPerformance] > 0 {
            return PageStatus(indicator: .minor, description: "Degraded System Performance")
        }
        if serviceTally[.underMaintenance] > 0 {
            return PageStatus(indicator: .maintenance, description: "Service Under Maintenance")
        }
        return nil
    }

    private var incidentCandidate: PageStatus? {
        var worst: IncidentImpact?
        for incident in incidents.values where incident.status.isActive {
            if worst.map({ incident.impact.severity > $0.severity }) ?? true { worst = incident.impact }
        }
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
