import AsyncAlgorithms
package import Auth
package import Engine
import Foundation
import HashTreeCollections
package import Logging
package import Mail
import NIOCore
package import Prometheus
import ServiceLifecycle

/// Tells subscribers. Each pending notice in an organization's state (a `noticeRequested` event) is
/// delivered to its recipients in id order, in two lanes (URLs, then mail), a batch at a time; after each batch one durable progress
/// mark (and a retry mark per failure) goes to the delivery journal, outside the organization's
/// stream. When every recipient is done the journal says `finished` and a `noticesCompleted` event
/// takes the notice out of the state.
///
/// After a crash the state still holds the notice and the journal says how far it got: delivery goes
/// on after the last mark, so every recipient is told at least once, and only the batch in flight can
/// be told twice (with the same idempotency key). Writes never wait for any of this: the notice is an
/// event like any other, and delivery starts once it is published.
///
/// In a cluster only the leader delivers (`leads`).
package actor Deliverer: ServiceLifecycle.Service {
    let registry: Registry
    let journal: any DeliveryJournal
    let sending: any NoticeSending
    let settings: DeliverySettings
    let leads: @Sendable () -> Bool
    let logger: Logger
    let metrics: DeliveryMetrics
    let links: SubscriptionLinks
    let mail: MailDelivery?
    private var ledger = DeliveryLedger()
    private var mailBreaker: MailServerBreaker
    private var loaded = false
    /// The lanes of notices this process has walked to the end, that wait for the other lane or for
    /// retries only: not walked again each second (a walk filters and sorts every subscriber).
    private var walked = Set<LaneWalk>()
    private nonisolated let doorbell: DeliveryDoorbell
    private nonisolated let threads: DeliveryThreads
    /// How each notification went, for the admins (`DeliveryLog`).
    package nonisolated let log: DeliveryLog

    package init(
        registry: Registry, journal: any DeliveryJournal, sending: any NoticeSending, settings: DeliverySettings,
        links: SubscriptionLinks, mail: MailDelivery? = nil, doorbell: DeliveryDoorbell = DeliveryDoorbell(),
        leads: @escaping @Sendable () -> Bool = { true }, log: DeliveryLog = DeliveryLog(),
        threads: DeliveryThreads = .shared, metrics: PrometheusCollectorRegistry, logger: Logger
    ) {
        self.threads = threads
        self.log = log
        self.registry = registry
        self.journal = journal
        self.sending = sending
        self.settings = settings
        mailBreaker = MailServerBreaker(first: settings.mailPause, longest: settings.mailPauseLongest)
        self.links = links
        self.mail = mail
        self.leads = leads
        self.metrics = DeliveryMetrics(registry: metrics)
        self.logger = logger
        self.doorbell = doorbell
    }

    /// The deliverer runs on its own lower-priority thread, not on the cooperative pool the requests'
    /// handlers share (`DeliveryThreads` says why).
    package nonisolated var unownedExecutor: UnownedSerialExecutor {
        threads.actorLoop.executor.asUnownedSerialExecutor()
    }

    package func run() async throws {
        let ticks = AsyncTimerSequence(interval: .seconds(1), clock: .continuous).map { _ in () }
        for await _ in merge(ticks, doorbell.rings).cancelOnGracefulShutdown() {
            await pass()
        }
    }

    /// One look at every organization: deliver what is pending, retry what is due, forget what is done.
    package func pass() async {
        guard leads() else {
            loaded = false  // another node delivers; read the journal again when this one leads
            walked = []
            return
        }
        do {
            if !loaded {
                ledger = try await journal.load()
                loaded = true
            }
            var oldest: Date? = nil
            var pendingCount = 0
            let pending = registry.all.map { actor in
                (actor, actor.view.state.pendingNotices.values.sorted { $0.seq < $1.seq })
            }
            for (_, notices) in pending {
                pendingCount += notices.count
                if let first = notices.first, first.at < oldest ?? .distantFuture { oldest = first.at }
            }
            // Every notice's URLs before any notice's mail: webhooks and chat are told in seconds even
            // behind a notice mailing 100,000 addresses (and `deliver` catches up between mail batches
            // with the URLs of notices asked for meanwhile).
            for lane in DeliveryLane.allCases {
                for (actor, notices) in pending {
                    for notice in notices {
                        guard try await walk(notice, of: actor, lane: lane) else { return }  // stopping
                    }
                }
            }
            for (actor, notices) in pending {
                for notice in notices { try await finish(notice, of: actor) }
            }
            try await retryDue()
            try await forgetCompleted()
            metrics.pending.set(Double(pendingCount))
            metrics.retrying.set(Double(ledger.notices.values.reduce(0) { $0 + $1.retries.count }))
            metrics.oldestPendingSeconds.set(oldest.map { max(0, WallClock.now().timeIntervalSince($0)) } ?? 0)
            metrics.mailPaused.set(Double(mailBreaker.pausedUntil == nil ? 0 : 1))
        } catch {
            // The journal could not be read or written: nothing is marked, so the next pass sends the
            // unmarked batch again (duplicates, never a loss).
            logger.error("notification delivery paused: \(error)")
        }
    }

    /// Delivers one lane of one notice from where the journal says it got to; false when stopping cut
    /// it short.
    private func walk(_ notice: PendingNotice, of actor: OrgActor, lane: DeliveryLane) async throws -> Bool {
        let key = NoticeKey(org: actor.id, seq: notice.seq)
        let walk = LaneWalk(key: key, lane: lane)
        guard ledger.notices[key]?.finished != true, !walked.contains(walk) else { return true }
        let state = actor.view.state
        if let content = NoticeContent(notice, org: state, publicURL: settings.publicURL) {
            let webhook = content.aboutThePage ? try WebhookBody(content, documentation: documentation) : nil
            let recipients = state.recipients(of: notice)
            log.started(content, kind: Self.kind(of: notice.subject), recipients: recipients.count)
            var remaining = recipients.filter { $0.channel.lane == lane }
            if let through = ledger.notices[key]?.through[lane] { remaining.removeAll { $0.id <= through } }
            switch try await deliver(remaining, in: lane, content, webhook, key: key, of: actor) {
            case .done: break
            case .paused: return true  // the mail server is away: this lane goes on at a later pass
            case .stopping: return false
            }
        }
        walked.insert(walk)
        return true
    }

    /// A notice whose lanes were walked and whose retries are over is marked finished, then completed in
    /// the organization's state.
    private func finish(_ notice: PendingNotice, of actor: OrgActor) async throws {
        let key = NoticeKey(org: actor.id, seq: notice.seq)
        if ledger.notices[key]?.finished != true {
            guard DeliveryLane.allCases.allSatisfy({ walked.contains(LaneWalk(key: key, lane: $0)) }),
                ledger.notices[key]?.retries.isEmpty ?? true
            else { return }
            try await record([.finished(key)])
            log.finished(key)
        }
        _ = try? await actor.submit(.completeNotices([notice.seq]), by: .system)
    }

    /// Walks the URL lane of every notice pending now: between two batches of mail, so that a notice
    /// asked for during a long mail walk is not held behind it.
    private func catchUpURLs() async throws -> Bool {
        for actor in registry.all {
            for notice in actor.view.state.pendingNotices.values.sorted(by: { $0.seq < $1.seq }) {
                guard try await walk(notice, of: actor, lane: .urls) else { return false }
            }
        }
        return true
    }

    /// How far a lane's walk got.
    private enum WalkEnd {
        case done
        /// The mail server is unavailable (`MailServerBreaker`): marked up to the last mail that went.
        case paused
        /// The process is stopping: the rest goes on at the next start.
        case stopping
    }

    /// Sends to `recipients` (one lane's, in id order) a batch at a time, each batch followed by its
    /// durable progress mark.
    private func deliver(
        _ recipients: [Subscriber], in lane: DeliveryLane, _ content: NoticeContent, _ webhook: WebhookBody?,
        key: NoticeKey, of actor: OrgActor
    ) async throws -> WalkEnd {
        var start = 0
        while start < recipients.count {
            guard !Task.isShuttingDownGracefully else { return .stopping }
            if lane == .mail {
                if start > 0 { guard try await catchUpURLs() else { return .stopping } }
                guard mailBreaker.admits(at: settings.clock()) else { return .paused }
            }
            let batch = Array(recipients[start..<min(start + settings.batch, recipients.count)])
            start += batch.count
            var marks: [DeliveryMark] = []
            var sent = 0
            var through = ledger.notices[key]?.through[lane]
            for (subscriber, outcome) in await send(content, webhook, to: batch) {
                if case .unavailable(let why) = outcome {
                    // Marked up to the mail before this one; the batch's mails after it that went anyway
                    // are sent again when the server is back (duplicates within one batch, same Message-ID).
                    if let through, through != ledger.notices[key]?.through[lane] {
                        marks.append(.progress(key, lane: lane, through: through))
                    }
                    try await record(marks)
                    log.sent(key, count: sent)
                    log.failed(key, subscriber, reason: Self.pauseReason(why, mailBreaker), quarantined: false)
                    return .paused
                }
                through = subscriber.id
                switch outcome {
                case .sent: sent += 1
                case .failed(let failure):
                    marks.append(
                        .retry(
                            key, subscriber.id, attempt: 1, due: WallClock.now() + settings.backoff(after: 1),
                            reason: failure))
                    log.failed(key, subscriber, reason: failure, quarantined: false)
                case .refused(let refusal):
                    let reason = "the mail server refused the address: \(refusal)"
                    await quarantine(subscriber, of: actor, reason)
                    log.failed(key, subscriber, reason: reason, quarantined: true)
                case .unavailable: break  // handled above
                }
            }
            marks.append(.progress(key, lane: lane, through: batch[batch.count - 1].id))
            try await record(marks)
            log.sent(key, count: sent)  // once a batch: the log's lock is not taken per delivery
            log.retrying(key, ledger.notices[key]?.retries.count ?? 0)
        }
        return .done
    }

    /// What the delivery log says when mail pauses.
    private static func pauseReason(_ why: String, _ breaker: MailServerBreaker) -> String {
        let until = breaker.pausedUntil.map { " until \($0.formatted(.iso8601))" } ?? ""
        return "the mail server is unavailable (\(why)): mail paused\(until), nobody's attempts counted"
    }

    /// Sends `content` to each subscriber, `settings.concurrency` at a time; how each went.
    private func send(_ content: NoticeContent, _ webhook: WebhookBody?, to subscribers: [Subscriber]) async
        -> [(Subscriber, MailOutcome)]
    {
        let now = WallClock.now()
        let prepared = content.aboutThePage ? mail?.composer.prepare(content) : nil
        var deliveries: [(Subscriber, Delivery?)] = []
        for subscriber in subscribers {
            deliveries.append((subscriber, delivery(of: content, webhook, prepared, to: subscriber, now: now)))
        }
        let sending = self.sending
        let transport = mail?.transport
        let metrics = self.metrics
        let executor = threads.tasks
        return await withTaskGroup(of: (Int, MailOutcome).self) { group in
            var results = [(Subscriber, MailOutcome)](repeating: (subscribers[0], .sent), count: deliveries.count)
            var next = 0
            var unstarted: [Int] = []
            func start(_ index: Int) {
                let (subscriber, delivery) = deliveries[index]
                if case .mail = delivery, !mailBreaker.admits(at: settings.clock()) {
                    unstarted.append(index)  // the server is away: this mail waits for the next try
                    return
                }
                // On the delivery threads, below the requests the server answers: a write's p99 matters
                // more than a burst's end.
                group.addTask(executorPreference: executor, priority: .background) {
                    let outcome: MailOutcome
                    switch delivery {
                    case .post(let message):
                        outcome = await sending.send(message).map { .failed($0) } ?? .sent
                    case .mail(let message):
                        outcome = await transport?.send(message) ?? .failed("no mail server is configured")
                    case nil:
                        metrics.count(subscriber.channel, .undeliverable)
                        return (index, .sent)
                    }
                    metrics.count(subscriber.channel, outcome == .sent ? .sent : .failed)
                    return (index, outcome)
                }
            }
            while next < min(settings.concurrency, deliveries.count) {
                start(next)
                next += 1
            }
            for await (index, outcome) in group {
                results[index] = (deliveries[index].0, outcome)
                if case .mail = deliveries[index].1 {
                    if case .unavailable(let why) = outcome {
                        mailBreaker.unavailable(at: settings.clock(), why)
                    } else {
                        mailBreaker.reached()
                    }
                }
                if next < deliveries.count {
                    start(next)
                    next += 1
                }
            }
            let why = "not tried: " + (mailBreaker.reason ?? "the mail server is unavailable")
            for index in unstarted { results[index] = (deliveries[index].0, .unavailable(why)) }
            return results
        }
    }

    /// What goes to one subscriber: a request to its URL, or a mail (to its address, or to a webhook's
    /// contact); nil when its channel has no way out here (SMS; email without a mail server).
    private func delivery(
        of content: NoticeContent, _ webhook: WebhookBody?, _ prepared: MailComposer.PreparedNotice?,
        to subscriber: Subscriber, now: Date
    ) -> Delivery? {
        let org = content.key.org
        let base = settings.publicURL
        let links = links
        let link: MailComposer.Link = { links.url($0, subscriber.id, org: org, base: base) }
        if subscriber.channel == .email || !content.aboutThePage {
            guard let mail else { return nil }
            let messageID = OutgoingMessage.idempotencyKey(content.key, subscriber.id) + "@" + mailDomain
            if let prepared { return .mail(prepared.mail(to: subscriber, link: link, messageID: messageID)) }
            return mail.composer.subscriptionMail(content, to: subscriber, link: link, messageID: messageID)
                .map { .mail($0) }
        }
        let unsubscribe = link(.unsubscribe)
        return
            (try? OutgoingMessage.make(content, webhook: webhook, for: subscriber, unsubscribe: unsubscribe, now: now))
            .flatMap { $0 }.map { .post($0) }
    }

    /// The right-hand side of `Message-ID`s: the public address's host.
    private var mailDomain: String { URL(string: settings.publicURL)?.host ?? "statusd.invalid" }

    /// Tries every delivery whose retry is due; quarantines a subscriber at its last failed attempt.
    private func retryDue() async throws {
        let now = WallClock.now()
        for (key, progress) in ledger.notices where !progress.finished {
            let due = progress.retries.filter { $0.value.due <= now }
            guard !due.isEmpty else { continue }
            guard let actor = registry.organization(id: key.org) else {
                try await record(due.keys.map { DeliveryMark.settled(key, $0) })
                continue
            }
            let state = actor.view.state
            guard let notice = state.pendingNotices[key.seq],
                let content = NoticeContent(notice, org: state, publicURL: settings.publicURL)
            else {
                try await record(due.keys.map { DeliveryMark.settled(key, $0) })
                continue
            }
            let webhook = content.aboutThePage ? try? WebhookBody(content, documentation: documentation) : nil
            var gone: [DeliveryMark] = []
            var subscribers: [Subscriber] = []
            for id in due.keys.sorted() {
                if let subscriber = state.subscribers[id], subscriber.state == .active || !content.aboutThePage {
                    subscribers.append(subscriber)
                } else {
                    gone.append(.settled(key, id))  // unsubscribed or quarantined meanwhile
                }
            }
            var marks = gone
            for (subscriber, outcome) in subscribers.isEmpty ? [] : await send(content, webhook, to: subscribers) {
                let failure: String
                switch outcome {
                case .sent:
                    marks.append(.settled(key, subscriber.id))
                    log.sent(key)
                    continue
                case .refused(let refusal):
                    let reason = "the mail server refused the address: \(refusal)"
                    await quarantine(subscriber, of: actor, reason)
                    log.failed(key, subscriber, reason: reason, quarantined: true)
                    marks.append(.settled(key, subscriber.id))
                    continue
                case .failed(let reason): failure = reason
                case .unavailable(let why):
                    // Not this address's attempt: the same one again once the mail server is back.
                    let previous = due[subscriber.id]?.attempt ?? 0
                    let again = mailBreaker.pausedUntil ?? settings.clock() + settings.mailPause
                    marks.append(.retry(key, subscriber.id, attempt: previous, due: again, reason: why))
                    continue
                }
                let attempt = (due[subscriber.id]?.attempt ?? 0) + 1
                log.failed(key, subscriber, reason: failure, quarantined: attempt >= settings.attempts)
                if attempt >= settings.attempts {
                    await quarantine(subscriber, of: actor, "\(attempt) failed deliveries; the last: \(failure)")
                    marks.append(.settled(key, subscriber.id))
                } else {
                    marks.append(
                        .retry(
                            key, subscriber.id, attempt: attempt, due: now + settings.backoff(after: attempt),
                            reason: failure))
                }
            }
            try await record(marks)
            log.retrying(key, ledger.notices[key]?.retries.count ?? 0)
        }
    }

    /// The delivery log's name for what a notice is about.
    private static func kind(of subject: NoticeSubject) -> String {
        switch subject {
        case .incident: "incident"
        case .maintenance: "maintenance"
        case .maintenanceReminder: "reminder"
        case .component: "component"
        case .subscription: "subscription"
        }
    }

    private func quarantine(_ subscriber: Subscriber, of actor: OrgActor, _ reason: String) async {
        do {
            _ = try await actor.submit(.quarantineSubscriber(subscriber.id, reason: reason), by: .system)
            metrics.count(subscriber.channel, .quarantined)
            logger.warning(
                "subscriber quarantined",
                metadata: ["org": "\(actor.id)", "subscriber": "\(subscriber.id)", "reason": "\(reason.prefix(200))"])
        } catch {
            logger.error("could not quarantine subscriber \(subscriber.id): \(error)")
        }
    }

    /// Drops finished notices whose completion is in the state (the event is durable) and rewrites the
    /// journal without them.
    private func forgetCompleted() async throws {
        let done = ledger.notices.filter { key, progress in
            progress.finished && registry.organization(id: key.org)?.view.state.pendingNotices[key.seq] == nil
        }.map(\.key)
        guard !done.isEmpty else { return }
        let forgotten = Set(done)
        walked = walked.filter { !forgotten.contains($0.key) }
        var compacted = ledger
        compacted.forget(done)
        try await journal.compact(to: compacted)
        ledger = compacted
    }

    /// Where a webhook's `meta.documentation` points.
    private var documentation: String { settings.publicURL + "/docs#subscribers" }

    private func record(_ marks: [DeliveryMark]) async throws {
        guard !marks.isEmpty else { return }
        try await journal.append(marks)
        for mark in marks { ledger.apply(mark) }
    }
}

/// One lane of one notice, walked to its end by this process.
private struct LaneWalk: Hashable {
    let key: NoticeKey
    let lane: DeliveryLane
}

/// How mail leaves, and how it is written; absent when no mail server is configured.
package struct MailDelivery: Sendable {
    let transport: any MailTransport
    let composer: MailComposer

    package init(transport: any MailTransport, composer: MailComposer) {
        self.transport = transport
        self.composer = composer
    }
}

/// One subscriber's message.
private enum Delivery: Sendable {
    case post(OutgoingMessage)
    case mail(MailMessage)
}
