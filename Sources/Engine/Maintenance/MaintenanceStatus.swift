import Foundation

/// Where a maintenance window is in its life.
///
/// The state machine (checked by `MaintenanceStatus.canMove(to:)`):
/// ```
/// scheduled --> in_progress <--> verifying
///     |              \              /
///     |               v            v
///     +--------> cancelled     completed
/// ```
/// `scheduled -> completed` is refused (nothing was done), `in_progress -> cancelled` is allowed (work
/// abandoned; services are restored as on completion). `completed` and `cancelled` are final.
/// Entering `in_progress` sets the affected services to `under_maintenance`; leaving for a final
/// status restores them under the coupling rule of docs/RULES.md.
public enum MaintenanceStatus: String, CaseIterable, Hashable, Sendable, Codable {
    case scheduled
    case inProgress = "in_progress"
    case verifying
    case completed
    case cancelled

    /// Parses client input, case-insensitive; accepts `in progress`.
    public init?(input: String) {
        self.init(rawValue: input.lowercased().replacingOccurrences(of: " ", with: "_"))
    }

    /// Whether the window holds its services in maintenance now.
    public var isUnderway: Bool { self == .inProgress || self == .verifying }

    /// Whether no further transition is possible.
    public var isFinal: Bool { self == .completed || self == .cancelled }

    /// Whether a status change may move a window from this status to `next`.
    public func canMove(to next: MaintenanceStatus) -> Bool {
        switch (self, next) {
        case (.scheduled, .inProgress), (.scheduled, .cancelled): true
        case (.inProgress, .verifying), (.inProgress, .completed), (.inProgress, .cancelled): true
        case (.verifying, .inProgress), (.verifying, .completed), (.verifying, .cancelled): true
        default: false
        }
    }
}
