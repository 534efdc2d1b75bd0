import Foundation
import HashTreeCollections

extension OrgState {
    /// When the subscribers of `window` are to be reminded of it, if they are:
    /// `MaintenancePolicy.reminderLead` before its start, while it is still scheduled, when it names
    /// services (as its automatic start is announced), was scheduled longer ahead than the lead (else
    /// its announcement is recent enough), someone listens, and this start was not reminded of yet.
    func reminderTime(of window: Maintenance) -> Date? {
        guard window.status == .scheduled, !window.affected.isEmpty, activeSubscribers.total > 0,
            remindedWindows[window.id] != window.scheduledStart
        else { return nil }
        let time = window.scheduledStart.addingTimeInterval(-MaintenancePolicy.reminderLead)
        return window.createdAt < time ? time : nil
    }

    /// The reminders due at `now`, in start order. One whose start already passed (statusd was down
    /// through the hour before it) is still asked for, so that it is marked done; its delivery finds
    /// nobody to remind (`recipients(of:)`).
    func dueReminders(at now: Date) -> [OrgChange] {
        maintenance.values.filter { window in reminderTime(of: window).map { $0 <= now } ?? false }
            .sorted { ($0.scheduledStart, $0.id) < ($1.scheduledStart, $1.id) }
            .map { .noticeRequested(.maintenanceReminder($0.id)) }
    }
}
