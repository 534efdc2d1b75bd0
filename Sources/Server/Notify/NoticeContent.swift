import Engine
import Foundation
import HashTreeCollections

/// What one notification says, read once from the organization's state when its delivery starts
/// (every recipient gets the same words; only links and signatures differ per subscriber).
struct NoticeContent: Sendable {
    enum Subject: Sendable {
        case incident(WebhookPayload.Incident)
        case component(WebhookPayload.ComponentUpdate, WebhookPayload.Component)
        /// A mail about the subscription itself (its `text` is the quarantine reason, if any).
        case subscription(SubscriptionMail)
    }

    let key: NoticeKey
    let subject: Subject
    let page: WebhookPayload.Page
    let pageName: String
    let pageURL: String
    /// One line: what happened, for a chat title or a mail subject.
    let title: String
    /// The latest update's text, or the component change in words.
    let text: String
    /// The page's accent colour as an integer (Discord's embed colour), if set.
    let accent: Int?
    /// The same as `#rrggbb`, or statusd's blue: the colour of a mail's rule and button.
    let accentColor: String
    /// When it happened (the notice's event).
    let at: Date

    /// Whether it is about the page (an incident, a window, a service), not about a subscription.
    var aboutThePage: Bool {
        if case .subscription = subject { return false }
        return true
    }

    /// Nil when what the notice is about is gone (deleted): nobody is told.
    init?(_ notice: PendingNotice, org: OrgState, publicURL: String) {
        key = NoticeKey(org: org.id, seq: notice.seq)
        let pageURL = publicURL + "/status/" + org.settings.slug
        self.pageURL = pageURL
        pageName = org.settings.name
        let status = org.pageStatus
        page = WebhookPayload.Page(
            id: org.id.rawValue, statusIndicator: status.indicator.rawValue, statusDescription: status.description)
        accent = org.settings.branding.accentColor.flatMap { Int($0.dropFirst(), radix: 16) }
        accentColor = org.settings.branding.accentColor ?? "#0969da"
        at = notice.at
        switch notice.subject {
        case .incident(let id, let updateID):
            guard let incident = org.incidents[id] else { return nil }
            let update = incident.updates.first { $0.id == updateID } ?? incident.updates.last
            subject = .incident(WebhookPayload.Incident(incident, org: org, pageURL: pageURL))
            title = "\(incident.name): \(Self.words(update?.status.rawValue ?? incident.status.rawValue))"
            text = update?.body ?? ""
        case .maintenance(let id, let updateID):
            guard let window = org.maintenance[id] else { return nil }
            let update = updateID.flatMap { updateID in window.updates.first { $0.id == updateID } }
            subject = .incident(WebhookPayload.Incident(window, org: org, pageURL: pageURL))
            let state = update?.status.rawValue ?? "scheduled"
            title = "\(window.name): maintenance \(Self.words(state))"
            text = update?.body ?? window.description
        case .maintenanceReminder(let id):
            guard let window = org.maintenance[id] else { return nil }
            subject = .incident(WebhookPayload.Incident(window, org: org, pageURL: pageURL))
            title = "\(window.name): maintenance starts soon"
            let planned =
                "Planned from \(Self.local(window.scheduledStart, org)) to \(Self.local(window.scheduledEnd, org))"
                + " (\(org.settings.timeZone))."
            text = window.description.isEmpty ? planned : planned + "\n\n" + window.description
        case .component(let id, let from, let to):
            guard let service = org.services[id] else { return nil }
            let component = WebhookPayload.Component(service)
            subject = .component(
                WebhookPayload.ComponentUpdate(
                    id: "cmu_\(notice.seq.rawValue)", componentId: id.rawValue, oldStatus: from.rawValue,
                    newStatus: to.rawValue, createdAt: notice.at),
                component)
            title = "\(service.name) is \(Self.words(to.rawValue))"
            text = "\(service.name) changed from \(Self.words(from.rawValue)) to \(Self.words(to.rawValue))."
        case .subscription(let id, let mail):
            guard let subscriber = org.subscribers[id] else { return nil }
            subject = .subscription(mail)
            switch mail {
            case .confirm: title = "Confirm your subscription to \(pageName)"
            case .manage: title = "Manage your subscription to \(pageName)"
            case .quarantined: title = "Notifications to your webhook from \(pageName) have stopped"
            }
            text = subscriber.quarantineReason ?? ""
        }
    }

    /// A time as the organization's readers read it: `2026-12-03 14:00` in its time zone.
    static func local(_ date: Date, _ org: OrgState) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: org.settings.timeZone) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// `major_outage` as a reader says it: `major outage`.
    static func words(_ value: String) -> String { value.replacingOccurrences(of: "_", with: " ") }
}
