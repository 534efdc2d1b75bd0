public import Foundation  // Date is part of the public values.

/// Names one notification: the organization and the seq of its `noticeRequested` event.
public struct NoticeKey: Hashable, Sendable, Comparable {
    public let org: OrgID
    public let seq: Seq

    public init(org: OrgID, seq: Seq) {
        self.org = org
        self.seq = seq
    }

    public static func < (lhs: NoticeKey, rhs: NoticeKey) -> Bool {
        lhs.org == rhs.org ? lhs.seq < rhs.seq : lhs.org < rhs.org
    }
}

/// Recipients are walked in two lanes, each in id order with its own progress: the requests to URLs
/// (webhooks, chat; quick) first, then the mails (as fast as the mail server takes them), so that a
/// page's 10,000 webhooks are not held behind its 100,000 mails.
public enum DeliveryLane: UInt8, CaseIterable, Hashable, Sendable, Comparable {
    case urls = 0
    case mail = 1

    public static func < (lhs: DeliveryLane, rhs: DeliveryLane) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension SubscriberChannel {
    /// The lane a subscriber's deliveries are walked in.
    public var lane: DeliveryLane { self == .email ? .mail : .urls }
}

/// One durable fact about delivering notifications, kept outside the organizations' streams so that a
/// notification to 100,000 people costs a few marks, not 100,000 events in front of the writes.
public enum DeliveryMark: Hashable, Sendable {
    /// Every recipient of the notice in `lane` up to and including `through` (in id order) was sent to,
    /// or has a `retry` mark of its own.
    case progress(NoticeKey, lane: DeliveryLane, through: SubscriberID)
    /// A delivery failed `attempt` times (the last for `reason`); the next try is due at `due`.
    case retry(NoticeKey, SubscriberID, attempt: Int, due: Date, reason: String)
    /// A delivery that was retried is over: sent at last, or given up (the subscriber quarantined).
    case settled(NoticeKey, SubscriberID)
    /// Every recipient is done: the `noticesCompleted` event may follow, and the journal forgets the notice.
    case finished(NoticeKey)
}

/// A retried delivery's state.
public struct PendingRetry: Hashable, Sendable {
    public let attempt: Int
    public let due: Date
    public let reason: String

    public init(attempt: Int, due: Date, reason: String) {
        self.attempt = attempt
        self.due = due
        self.reason = reason
    }
}

/// Where one notification stands, folded from its marks.
public struct NoticeProgress: Hashable, Sendable {
    /// Each lane's last recipient done in id order; none before its first.
    public var through: [DeliveryLane: SubscriberID] = [:]
    public var retries: [SubscriberID: PendingRetry] = [:]
    public var finished = false

    public init() {}
}

/// Every unfinished notification's progress: what the marks of a journal add up to.
public struct DeliveryLedger: Hashable, Sendable {
    public private(set) var notices: [NoticeKey: NoticeProgress] = [:]

    public init() {}

    /// Applies one mark. Marks are facts in the order written, so applying the same sequence again
    /// gives the same ledger; a mark about a finished notice is ignored.
    public mutating func apply(_ mark: DeliveryMark) {
        switch mark {
        case .progress(let key, let lane, let through):
            guard notices[key]?.finished != true else { return }
            let current = notices[key]?.through[lane]
            if current == nil || current! < through {
                notices[key, default: NoticeProgress()].through[lane] = through
            }
        case .retry(let key, let subscriber, let attempt, let due, let reason):
            guard notices[key]?.finished != true else { return }
            notices[key, default: NoticeProgress()].retries[subscriber] = PendingRetry(
                attempt: attempt, due: due, reason: reason)
        case .settled(let key, let subscriber):
            notices[key]?.retries[subscriber] = nil
        case .finished(let key):
            notices[key, default: NoticeProgress()].finished = true
            notices[key]?.retries = [:]
        }
    }

    /// Forgets notifications that are finished and no longer pending in any state (their
    /// `noticesCompleted` event is durable), so the journal does not grow for ever.
    public mutating func forget(_ keys: some Sequence<NoticeKey>) {
        for key in keys { notices[key] = nil }
    }

    /// The marks that rebuild this ledger (a compacted journal's content).
    public var marks: [DeliveryMark] {
        notices.sorted { $0.key < $1.key }.flatMap { key, progress -> [DeliveryMark] in
            if progress.finished { return [.finished(key)] }
            var marks: [DeliveryMark] = progress.through.sorted { $0.key < $1.key }.map {
                .progress(key, lane: $0.key, through: $0.value)
            }
            for (subscriber, retry) in progress.retries.sorted(by: { $0.key < $1.key }) {
                marks.append(
                    .retry(key, subscriber, attempt: retry.attempt, due: retry.due, reason: retry.reason))
            }
            return marks
        }
    }
}

/// Durable storage of delivery marks: a file beside the WAL on one node, a table in a cluster.
public protocol DeliveryJournal: Sendable {
    /// Every mark written and not compacted away, folded.
    func load() async throws -> DeliveryLedger
    /// Writes `marks`; durable when it returns.
    func append(_ marks: [DeliveryMark]) async throws
    /// Replaces the journal's content with `ledger`'s marks (done from time to time to drop what is
    /// finished); durable when it returns.
    func compact(to ledger: DeliveryLedger) async throws
}
