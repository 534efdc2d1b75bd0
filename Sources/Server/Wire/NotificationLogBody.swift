package import Engine
package import Foundation

/// One notification as the delivery log shows it to admins: what it said, to how many, how it went,
/// and its latest failures (addresses as the API shows them: a URL masked).
package struct NotificationLogBody: Encodable, Sendable {
    package struct Failure: Encodable, Sendable {
        package let subscriberId: String
        package let address: String
        package let reason: String
        package let at: Date
        /// `retrying` (another attempt is scheduled), or `quarantined` (deliveries to it stopped).
        package let outcome: String

        package init(subscriberId: String, address: String, reason: String, at: Date, outcome: String) {
            self.subscriberId = subscriberId
            self.address = address
            self.reason = reason
            self.at = at
            self.outcome = outcome
        }
    }

    /// The seq of the event that asked for it (the `ntf_` idempotency keys and `Message-ID`s carry it).
    package let id: String
    /// `incident`, `maintenance`, `reminder`, `component` or `subscription`.
    package let kind: String
    package let title: String
    package let requestedAt: Date
    package var recipients: Int
    package var sent: Int
    /// Attempts that failed (each is retried until the failure budget is spent).
    package var failedAttempts: Int
    package var retrying: Int
    package var quarantined: Int
    package var finishedAt: Date?
    package var failures: [Failure]

    package init(id: String, kind: String, title: String, requestedAt: Date) {
        self.id = id
        self.kind = kind
        self.title = title
        self.requestedAt = requestedAt
        recipients = 0
        sent = 0
        failedAttempts = 0
        retrying = 0
        quarantined = 0
        finishedAt = nil
        failures = []
    }
}

/// What the delivery log answers: an organization's recent notifications, newest first.
package protocol NotificationLogReading: Sendable {
    func notifications(of organization: OrgID) -> [NotificationLogBody]
}
