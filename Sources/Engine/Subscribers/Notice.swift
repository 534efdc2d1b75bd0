public import Foundation  // Date is part of the public values.

/// What a notification is about: the event in the log that subscribers are told of.
public enum NoticeSubject: Hashable, Sendable, Codable {
    /// An incident was opened (its first update) or an update was posted.
    case incident(IncidentID, UpdateID)
    /// A maintenance window was scheduled (no update yet) or moved to a new state.
    case maintenance(MaintenanceID, UpdateID?)
    /// A maintenance window starts within `MaintenancePolicy.reminderLead`: those told of it are
    /// reminded (nobody, when it has started or was cancelled by the time it is delivered).
    case maintenanceReminder(MaintenanceID)
    /// A service changed status: webhook subscribers hear every one (Statuspage's `component_update`).
    case component(ServiceID, from: ServiceStatus, to: ServiceStatus)
    /// A mail about one subscription: its confirmation link, its manage link, or (to a webhook's
    /// contact) that it was quarantined.
    case subscription(SubscriberID, SubscriptionMail)
}

/// The mails statusd sends about a subscription itself rather than about the page.
public enum SubscriptionMail: String, CaseIterable, Hashable, Sendable, Codable {
    /// The double opt-in link, sent when an address subscribes (or subscribes again unconfirmed).
    case confirm
    /// A link to the manage page, sent when a subscribed address subscribes again: the only way to
    /// reach it, so nobody learns or changes another person's subscription by typing their address.
    case manage
    /// To a webhook's contact: its deliveries failed for good and stopped.
    case quarantined
}

/// A notification the log asked for and the deliverer has not finished: kept in the organization's
/// state (so snapshots and followers carry it) until a `noticesCompleted` event.
public struct PendingNotice: Hashable, Sendable, Codable {
    /// The seq of the `noticeRequested` event: the notification's identity, in idempotency keys and
    /// `Message-ID`s.
    public let seq: Seq
    public let subject: NoticeSubject
    public let at: Date

    package init(seq: Seq, subject: NoticeSubject, at: Date) {
        self.seq = seq
        self.subject = subject
        self.at = at
    }
}
