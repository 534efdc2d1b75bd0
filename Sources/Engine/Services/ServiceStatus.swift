import Foundation

/// A service's health, from best to worst outage; `underMaintenance` stands apart.
public enum ServiceStatus: String, CaseIterable, Hashable, Sendable, Codable {
    case operational
    case degradedPerformance = "degraded_performance"
    case partialOutage = "partial_outage"
    case majorOutage = "major_outage"
    case underMaintenance = "under_maintenance"

    /// Parses client input: the canonical name, or a label other status pages use
    /// (`Partial Outage`, `Degraded`), case-insensitive.
    public init?(input: String) {
        let folded = input.lowercased().replacingOccurrences(of: " ", with: "_")
        switch folded {
        case "operational": self = .operational
        case "degraded_performance", "degraded": self = .degradedPerformance
        case "partial_outage": self = .partialOutage
        case "major_outage": self = .majorOutage
        case "under_maintenance", "maintenance": self = .underMaintenance
        default: return nil
        }
    }

    /// How bad the status is for the page indicator and the "worst of the day": higher is worse.
    /// Maintenance ranks above operational but below every outage.
    public var severity: Int {
        switch self {
        case .operational: 0
        case .underMaintenance: 1
        case .degradedPerformance: 2
        case .partialOutage: 3
        case .majorOutage: 4
        }
    }

    /// A person's words for the status, as status pages show it.
    public var label: String {
        switch self {
        case .operational: "Operational"
        case .degradedPerformance: "Degraded Performance"
        case .partialOutage: "Partial Outage"
        case .majorOutage: "Major Outage"
        case .underMaintenance: "Under Maintenance"
        }
    }
}

/// Services counted by status, kept by `evolve` as services come, change and go (plain fields: a
/// status change costs no allocation).
public struct ServiceStatusTally: Hashable, Sendable {
    private var operational = 0
    private var degradedPerformance = 0
    private var partialOutage = 0
    private var majorOutage = 0
    private var underMaintenance = 0

    public init() {}

    public subscript(_ status: ServiceStatus) -> Int {
        get {
            switch status {
            case .operational: operational
            case .degradedPerformance: degradedPerformance
            case .partialOutage: partialOutage
            case .majorOutage: majorOutage
            case .underMaintenance: underMaintenance
            }
        }
        set {
            switch status {
            case .operational: operational = newValue
            case .degradedPerformance: degradedPerformance = newValue
            case .partialOutage: partialOutage = newValue
            case .majorOutage: majorOutage = newValue
            case .underMaintenance: underMaintenance = newValue
            }
        }
    }

    public var total: Int { operational + degradedPerformance + partialOutage + majorOutage + underMaintenance }

    mutating func add(_ status: ServiceStatus) { self[status] += 1 }

    mutating func remove(_ status: ServiceStatus) { self[status] -= 1 }
}
