public import Foundation  // Date is part of the public values.

/// One message on a maintenance window's timeline.
public struct MaintenanceUpdate: Hashable, Sendable, Codable, Identifiable {
    public let id: UpdateID
    public let status: MaintenanceStatus
    public let body: String
    public let author: Principal
    public let createdAt: Date
}

/// A scheduled maintenance window.
public struct Maintenance: Hashable, Sendable, Codable, Identifiable {
    public let id: MaintenanceID
    public var name: String
    public var description: String
    public var scheduledStart: Date
    public var scheduledEnd: Date
    public var status: MaintenanceStatus
    public var affected: [ServiceID]
    /// Move to `in_progress` at `scheduledStart` without anyone asking.
    public var autoStart: Bool
    /// Move to `completed` at `scheduledEnd` without anyone asking.
    public var autoComplete: Bool
    public var updates: [MaintenanceUpdate]
    public let createdAt: Date
    public var updatedAt: Date

    /// The next moment a timer must act on this window, if any.
    public var nextDeadline: Date? {
        switch status {
        case .scheduled where autoStart: scheduledStart
        case .inProgress where autoComplete, .verifying where autoComplete: scheduledEnd
        default: nil
        }
    }

    /// The transition a timer makes now, if one is due.
    func dueStep(at now: Date) -> MaintenanceStatus? {
        guard let deadline = nextDeadline, deadline <= now else { return nil }
        return status == .scheduled ? .inProgress : .completed
    }
}
