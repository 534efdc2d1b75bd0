/// Where an incident is in its life.
///
/// The state machine (checked by `IncidentStatus.canMove(to:)`):
/// ```
/// investigating <-> identified <-> monitoring     (any order: real incidents go back and forth)
///        \______________|_______________/
///                       v
///                    resolved ---> postmortem      (both final for the affected services)
/// ```
/// A resolved incident is not reopened: a recurrence is a new incident, so history and uptime stay
/// truthful. An update may repeat the current status (a message without a transition).
public enum IncidentStatus: String, CaseIterable, Hashable, Sendable, Codable {
    case investigating
    case identified
    case monitoring
    case resolved
    case postmortem

    /// Parses client input, case-insensitive.
    public init?(input: String) {
        self.init(rawValue: input.lowercased())
    }

    /// Whether the incident still affects the page: not resolved and not in postmortem.
    public var isActive: Bool { self != .resolved && self != .postmortem }

    /// Whether an update may move an incident from this status to `next`.
    public func canMove(to next: IncidentStatus) -> Bool {
        switch (self, next) {
        case (.postmortem, let next): next == .postmortem
        case (.resolved, let next): next == .resolved || next == .postmortem
        case (_, .postmortem): false
        default: true
        }
    }
}

/// How bad an incident is, as the author judges it.
public enum IncidentImpact: String, CaseIterable, Hashable, Sendable, Codable {
    case none
    case minor
    case major
    case critical

    /// Parses client input, case-insensitive.
    public init?(input: String) {
        self.init(rawValue: input.lowercased())
    }

    /// Higher is worse.
    public var severity: Int {
        switch self {
        case .none: 0
        case .minor: 1
        case .major: 2
        case .critical: 3
        }
    }
}

extension IncidentStatus {
    /// The update text posted when a status change comes without one: the sentences status pages
    /// use (Statuspage's defaults), so an update never reads empty.
    public var defaultUpdateBody: String {
        switch self {
        case .resolved: "This incident has been resolved."
        case .monitoring: "A fix has been implemented and we are monitoring the results."
        case .identified: "The issue has been identified and a fix is being implemented."
        case .investigating: "We are investigating this issue."
        case .postmortem: "A postmortem has been published."
        }
    }
}
