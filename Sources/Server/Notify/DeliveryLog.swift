package import Engine
package import Foundation
import Synchronization
package import Wire

/// The delivery log: each organization's recent notifications and how their deliveries went, for the
/// admins (`GET /api/notifications`). Kept in memory by the node that delivers, since it started: the
/// durable record of what is owed is the delivery journal, and this is a window on it, bounded to
/// `perOrganization` notifications and `keep` seconds.
package final class DeliveryLog: NotificationLogReading {
    package static let perOrganization = 100
    package static let keep: TimeInterval = 7 * 86_400
    /// The latest failures a notification keeps.
    static let failuresKept = 20

    private let entries = Mutex<[OrgID: [NotificationLogBody]]>([:])

    package init() {}

    package func notifications(of organization: OrgID) -> [NotificationLogBody] {
        let cutoff = WallClock.now() - Self.keep
        return entries.withLock { $0[organization] ?? [] }.filter { $0.requestedAt >= cutoff }.reversed()
    }

    /// A notice's delivery starts (or starts again after a restart): what it says and to how many.
    func started(_ content: NoticeContent, kind: String, recipients: Int) {
        update(
            content.key,
            create: {
                NotificationLogBody(
                    id: "\(content.key.seq.rawValue)", kind: kind,
                    title: content.title, requestedAt: content.at)
            }
        ) { $0.recipients = recipients }
    }

    func sent(_ key: NoticeKey, count: Int = 1) {
        update(key) { $0.sent += count }
    }

    func failed(_ key: NoticeKey, _ subscriber: Subscriber, reason: String, quarantined: Bool) {
        update(key) { entry in
            entry.failedAttempts += 1
            if quarantined { entry.quarantined += 1 }
            entry.failures.append(
                NotificationLogBody.Failure(
                    subscriberId: subscriber.id.rawValue, address: SubscriberBody.shownAddress(subscriber),
                    reason: String(reason.prefix(300)), at: WallClock.now(),
                    outcome: quarantined ? "quarantined" : "retrying"))
            if entry.failures.count > Self.failuresKept { entry.failures.removeFirst() }
        }
    }

    func retrying(_ key: NoticeKey, _ count: Int) {
        update(key) { $0.retrying = count }
    }

    func finished(_ key: NoticeKey) {
        update(key) {
            $0.retrying = 0
            $0.finishedAt = $0.finishedAt ?? WallClock.now()
        }
    }

    private func update(
        _ key: NoticeKey, create: (() -> NotificationLogBody)? = nil, _ change: (inout NotificationLogBody) -> Void
    ) {
        let id = "\(key.seq.rawValue)"
        entries.withLock { all in
            var list = all[key.org] ?? []
            if let index = list.firstIndex(where: { $0.id == id }) {
                change(&list[index])
            } else if let create {
                var entry = create()
                change(&entry)
                list.append(entry)
                if list.count > Self.perOrganization { list.removeFirst(list.count - Self.perOrganization) }
            }
            all[key.org] = list
        }
    }
}
