public import Foundation  // Date is part of the public values.

/// One message on a maintenance window's timeline.
public struct MaintenanceUpdate: Hashable, Sendable, Codable, Identifiable {
    public let id: UpdateID
    public let status: MaintenanceStatus
    public internal(set) var body: String
    public let author: Principal
    public let createdAt: Date

    /// Every field, as the codec and tests build values.
    package init(id: UpdateID, status: MaintenanceStatus, body: String, author: Principal, createdAt: Date) {
        self.id = id
        self.status = status
        self.body = body
        self.author = author
        self.createdAt = createdAt
    }
}

/// The times of a maintenance window's notifications.
public enum MaintenancePolicy {
    /// Subscribers told of a window are reminded this long before it starts.
    public static let reminderLead: TimeInterval = 3_600
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

    /// Every field, as the codec and tests build values.
    package init(
        id: MaintenanceID, name: String, description: String, scheduledStart: Date, scheduledEnd: Date,
        status: MaintenanceStatus, affected: [ServiceID], autoStart: Bool, autoComplete: Bool,
        updates: [MaintenanceUpdate], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.scheduledStart = scheduledStart
        self.scheduledEnd = scheduledEnd
        self.status = status
        self.affected = affected
        self.autoStart = autoStart
        self.autoComplete = autoComplete
        self.updates = updates
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
