import Engine
import Foundation
import HashTreeCollections
import Testing

/// Subscribers in the engine: who may add them, what each address may be, which writes ask for a
/// notification, and who a notification reaches (Statuspage's rules).
@Suite struct SubscriberTests {
    @discardableResult
    static func add(_ fixture: inout Fixture, _ draft: SubscriberDraft, by principal: Principal? = nil) throws
        -> Subscriber
    {
        guard case .subscriberAdded(let subscriber) = try fixture.run(.addSubscriber(draft), by: principal).first else {
            fatalError("no subscriber added")
        }
        return subscriber
    }

    @Test func addresses_areCheckedPerChannel() throws {
        var fixture = try Fixture()
        let bad: [(SubscriberDraft, String)] = [
            (SubscriberDraft(channel: .email, address: "not-an-address", confirmed: true), "email"),
            (SubscriberDraft(channel: .email, address: "a@b.example\r\nBcc: x@y.example", confirmed: true), "email"),
            (SubscriberDraft(channel: .email, address: "\"x\"<a@b.example>", confirmed: true), "email"),
            (
                SubscriberDraft(
                    channel: .webhook, address: "ftp://hooks.example/x", contactEmail: "o@x.example",
                    confirmed: true), "endpoint"
            ),
            (
                SubscriberDraft(
                    channel: .webhook, address: "https://u:p@hooks.example/x", contactEmail: "o@x.example",
                    confirmed: true), "endpoint"
            ),
            (SubscriberDraft(channel: .webhook, address: "https://hooks.example/x", confirmed: true), "contact_email"),
            (
                SubscriberDraft(
                    channel: .slack, address: "https://hooks.example/x", confirmed: true,
                    signingSecret: Array(repeating: 1, count: 32)), "secret"
            ),
            (
                SubscriberDraft(
                    channel: .webhook, address: "https://hooks.example/x", contactEmail: "o@x.example",
                    confirmed: true, signingSecret: [1, 2, 3]), "secret"
            ),
            (SubscriberDraft(channel: .sms, address: "555-1234", confirmed: true), "type"),
        ]
        for (draft, field) in bad {
            let error = engineError { try fixture.run(.addSubscriber(draft)) }
            #expect(error?.code == .invalid, "\(draft.address)")
            #expect(error?.field == field, "\(draft.address)")
        }
        let email = try Self.add(
            &fixture, SubscriberDraft(channel: .email, address: " Ops@Example.COM", confirmed: false))
        #expect(email.address == "ops@example.com")
        #expect(email.state == .unconfirmed && email.confirmedAt == nil)
        let again = engineError {
            try fixture.run(
                .addSubscriber(SubscriberDraft(channel: .email, address: "ops@example.com", confirmed: true)))
        }
        #expect(again?.code == .conflict)
        #expect(fixture.state.subscriber(channel: .email, address: "ops@example.com")?.id == email.id)
        #expect(
            engineError {
                try fixture.run(
                    .addSubscriber(
                        SubscriberDraft(
                            channel: .email, address: "x@example.com", components: [.random()], confirmed: true)))
            }?.code == .notFound)
    }

    @Test func roles_adminsManageSubscribers_andTheDelivererAloneQuarantines() throws {
        var fixture = try Fixture()
        let subscriber = try Self.add(
            &fixture, SubscriberDraft(channel: .email, address: "a@example.com", confirmed: true))
        for command: OrgCommand in [
            .quarantineSubscriber(subscriber.id, reason: "x"), .completeNotices([Seq(1)]), .purgeSubscribers,
        ] {
            #expect(engineError { try fixture.run(command) }?.code == .forbidden)
        }
        try fixture.run(.quarantineSubscriber(subscriber.id, reason: "550 no such user"), by: .system)
        #expect(fixture.state.subscribers[subscriber.id]?.state == .quarantined)
        #expect(fixture.state.activeSubscribers.total == 0)
        let purgeAt = try #require(fixture.state.subscribers[subscriber.id]?.purgeAt)
        #expect(purgeAt == fixture.now.addingTimeInterval(90 * 86_400))
        try fixture.run(.reactivateSubscribers([subscriber.id]))
        #expect(fixture.state.subscribers[subscriber.id]?.state == .active)
        #expect(fixture.state.activeSubscribers[.email] == 1)
        #expect(fixture.replayed() == fixture.state)
    }

    @Test func writes_askForNotices_onlyWhenSomeoneListens_andAsTheyAsk() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        // Nobody active: no notice event, whatever the write asks.
        try Self.add(&fixture, SubscriberDraft(channel: .email, address: "later@example.com", confirmed: false))
        let quiet = try fixture.incident([api: .majorOutage])
        #expect(fixture.state.pendingNotices.values.allSatisfy { Self.aboutTheSubscription($0.subject) })
        try fixture.resolve(quiet)

        try Self.add(&fixture, SubscriberDraft(channel: .email, address: "ops@example.com", confirmed: true))
        let loud = try fixture.incident([api: .majorOutage])
        #expect(
            fixture.state.pendingNotices.values.map(\.subject).contains { subject in
                if case .incident(let id, _) = subject { return id == loud } else { return false }
            })
        // Without services the default is not to notify; `notify` says otherwise either way.
        let before = fixture.state.pendingNotices.count
        try fixture.run(.postIncidentUpdate(loud, status: nil, body: "Still on it", affected: nil, notify: false))
        #expect(fixture.state.pendingNotices.count == before)
        try fixture.run(
            .createIncident(
                IncidentDraft(
                    name: "Slow", status: .investigating, impact: .minor, body: "Hm", affected: [], notify: true)))
        #expect(fixture.state.pendingNotices.count == before + 1)
        // A backfilled (already resolved) incident is not announced by default.
        try fixture.run(
            .createIncident(
                IncidentDraft(
                    name: "Past", status: .resolved, impact: .minor, body: "It was",
                    affected: [AffectedService(serviceID: api, status: nil)])))
        #expect(fixture.state.pendingNotices.count == before + 1)
        // Component changes are told only to webhooks.
        let noticesNow = fixture.state.pendingNotices.count
        try fixture.run(.setServiceStatus(api, .degradedPerformance))
        #expect(fixture.state.pendingNotices.count == noticesNow)
        try Self.add(
            &fixture,
            SubscriberDraft(
                channel: .webhook, address: "https://hooks.example/in", contactEmail: "o@example.com", confirmed: true))
        try fixture.run(.setServiceStatus(api, .partialOutage))
        let last = try #require(fixture.state.pendingNotices.values.max { $0.seq < $1.seq })
        #expect(last.subject == .component(api, from: .degradedPerformance, to: .partialOutage))
        // Done notices leave the state; the same history replayed gives the same state.
        let seqs = fixture.state.pendingNotices.keys.map { $0 }
        try fixture.run(.completeNotices(seqs + [Seq(999_999)]), by: .system)
        #expect(fixture.state.pendingNotices.isEmpty)
        #expect(try fixture.run(.completeNotices(seqs), by: .system).isEmpty)
        #expect(fixture.replayed() == fixture.state)
    }

    @Test func recipients_followTheirComponents_theirIncident_andTheirChannel() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let web = try fixture.service("Web")
        let all = try Self.add(&fixture, SubscriberDraft(channel: .email, address: "all@example.com", confirmed: true))
        let apiOnly = try Self.add(
            &fixture, SubscriberDraft(channel: .email, address: "api@example.com", components: [api], confirmed: true))
        let webOnly = try Self.add(
            &fixture, SubscriberDraft(channel: .email, address: "web@example.com", components: [web], confirmed: true))
        let phone = try Self.add(
            &fixture, SubscriberDraft(channel: .sms, address: "+15551234567", confirmed: true),
            by: nil, enablingSMS: true)
        let hook = try Self.add(
            &fixture,
            SubscriberDraft(
                channel: .webhook, address: "https://hooks.example/in", contactEmail: "o@example.com", confirmed: true))
        _ = try Self.add(&fixture, SubscriberDraft(channel: .email, address: "new@example.com", confirmed: false))

        let incident = try fixture.incident([api: .majorOutage])
        let opening = try #require(
            fixture.state.pendingNotices.values.first { if case .incident = $0.subject { true } else { false } })
        #expect(fixture.state.recipients(of: opening).map(\.id) == [all, apiOnly, phone, hook].map(\.id).sorted())
        #expect(!fixture.state.recipients(of: opening).contains { $0.id == webOnly.id })

        // One incident's follower hears that incident only; an update is not texted; a resolution is.
        let follower = try Self.add(
            &fixture,
            SubscriberDraft(
                channel: .email, address: "one@example.com", incident: incident, confirmed: true))
        fixture.advance(60)
        try fixture.run(.postIncidentUpdate(incident, status: .identified, body: "Found it", affected: nil))
        let update = try #require(fixture.state.pendingNotices.values.max { $0.seq < $1.seq })
        let told = Set(fixture.state.recipients(of: update).map(\.id))
        #expect(told.contains(follower.id) && !told.contains(phone.id) && told.contains(all.id))
        fixture.advance(60)
        try fixture.resolve(incident)
        let resolution = try #require(
            fixture.state.pendingNotices.values.filter {
                if case .incident = $0.subject { true } else { false }
            }.max { $0.seq < $1.seq })
        #expect(Set(fixture.state.recipients(of: resolution).map(\.id)).contains(phone.id))
        // Someone who confirms after a notice was asked for does not get it.
        let late = try Self.add(
            &fixture, SubscriberDraft(channel: .email, address: "late@example.com", confirmed: false))
        fixture.advance(60)
        try fixture.run(.confirmSubscriber(late.id), by: .system)
        #expect(!fixture.state.recipients(of: resolution).contains { $0.id == late.id })
        // A deleted incident's notices reach nobody.
        try fixture.run(.deleteIncident(incident))
        #expect(fixture.state.recipients(of: resolution).isEmpty)
        #expect(fixture.replayed() == fixture.state)
    }

    @Test func purge_forgetsExpiredAndLongQuarantinedSubscribers() throws {
        var fixture = try Fixture()
        let waiting = try Self.add(
            &fixture, SubscriberDraft(channel: .email, address: "w@example.com", confirmed: false))
        let failing = try Self.add(
            &fixture, SubscriberDraft(channel: .email, address: "f@example.com", confirmed: true))
        let fine = try Self.add(&fixture, SubscriberDraft(channel: .email, address: "ok@example.com", confirmed: true))
        fixture.advance(10 * 86_400)
        try fixture.run(.quarantineSubscriber(failing.id, reason: "550"), by: .system)
        fixture.advance(80 * 86_400)
        #expect(try fixture.run(.purgeSubscribers, by: .system) == [.subscriberRemoved(waiting.id)])
        fixture.advance(10 * 86_400)
        #expect(try fixture.run(.purgeSubscribers, by: .system) == [.subscriberRemoved(failing.id)])
        #expect(fixture.state.subscribers.keys.map { $0 } == [fine.id])
        #expect(fixture.state.subscriber(channel: .email, address: "f@example.com") == nil)
        #expect(fixture.replayed() == fixture.state)
    }
}

extension SubscriberTests {
    /// Adds a subscriber on a channel the default settings leave off (SMS), turning it on first.
    static func add(_ fixture: inout Fixture, _ draft: SubscriberDraft, by principal: Principal?, enablingSMS: Bool)
        throws -> Subscriber
    {
        var settings = fixture.state.subscriptionSettings
        settings.channels.insert(draft.channel)
        try fixture.run(.updateSubscriptionSettings(settings))
        return try add(&fixture, draft, by: principal)
    }

    static func aboutTheSubscription(_ subject: NoticeSubject) -> Bool {
        if case .subscription = subject { return true }
        return false
    }

    @Test func thePublicForm_addsUnconfirmed_mailsALink_andNeverTellsWhetherAnAddressWasKnown() throws {
        var fixture = try Fixture()
        let draft = SubscriberDraft(channel: .email, address: "Reader@Example.com", confirmed: true)
        // Only the system runs it: the form's caller is anonymous.
        #expect(engineError { try fixture.run(.requestSubscription(draft)) }?.code == .forbidden)
        let first = try fixture.run(.requestSubscription(draft), by: .system)
        guard case .subscriberAdded(let subscriber) = first.first, case .noticeRequested(let mail) = first.last else {
            Issue.record("expected a subscriber and a mail, got \(first)")
            return
        }
        #expect(subscriber.state == .unconfirmed && subscriber.address == "reader@example.com")
        #expect(mail == .subscription(subscriber.id, .confirm))
        let notice = try #require(fixture.state.pendingNotices.values.first)
        #expect(fixture.state.recipients(of: notice).map(\.id) == [subscriber.id])

        // Again while unconfirmed: the link again, nothing added.
        #expect(
            try fixture.run(.requestSubscription(draft), by: .system) == [
                .noticeRequested(.subscription(subscriber.id, .confirm))
            ])
        #expect(fixture.state.subscribers.count == 1)
        // Confirmed, then again: a manage link; the confirmation mail no longer reaches anyone.
        try fixture.run(.confirmSubscriber(subscriber.id), by: .system)
        #expect(fixture.state.recipients(of: notice).isEmpty)
        #expect(
            try fixture.run(.requestSubscription(draft), by: .system) == [
                .noticeRequested(.subscription(subscriber.id, .manage))
            ])

        // A webhook quarantined: its contact is told; an email address that refused mail is not mailed.
        let hook = try Self.add(
            &fixture,
            SubscriberDraft(
                channel: .webhook, address: "https://hooks.example/x", contactEmail: "ops@example.com", confirmed: true)
        )
        #expect(
            try fixture.run(.quarantineSubscriber(hook.id, reason: "10 failures"), by: .system).last
                == .noticeRequested(.subscription(hook.id, .quarantined)))
        #expect(
            try fixture.run(.quarantineSubscriber(subscriber.id, reason: "550"), by: .system)
                == [.subscriberQuarantined(subscriber.id, reason: "550")])
        #expect(fixture.replayed() == fixture.state)
    }

    @Test func bulkCommands_actOnEachNamedSubscriberOnce_andRefuseWhatTheyCannotDo() throws {
        var fixture = try Fixture()
        let waiting = try Self.add(
            &fixture, SubscriberDraft(channel: .email, address: "w@example.com", confirmed: false))
        let active = try Self.add(&fixture, SubscriberDraft(channel: .email, address: "a@example.com", confirmed: true))
        let hook = try Self.add(
            &fixture,
            SubscriberDraft(
                channel: .webhook, address: "https://hooks.example/x", contactEmail: "o@example.com", confirmed: true))
        try fixture.run(.quarantineSubscriber(hook.id, reason: "10 failures"), by: .system)

        // Resending: only to unconfirmed email subscribers, and the one that is not is named.
        #expect(
            try fixture.run(.resendConfirmations([waiting.id])) == [
                .noticeRequested(.subscription(waiting.id, .confirm))
            ])
        let refused = engineError { try fixture.run(.resendConfirmations([waiting.id, active.id])) }
        #expect(refused?.code == .invalid && refused?.field == "subscribers[1]")
        #expect(engineError { try fixture.run(.resendConfirmations([.random()])) }?.code == .notFound)
        // Reactivating: the quarantined one changes, the others are left; an id twice counts once.
        #expect(
            try fixture.run(.reactivateSubscribers([active.id, hook.id, hook.id])) == [.subscriberReactivated(hook.id)])
        // Removing: every one named, or none when one is unknown.
        let unknown = engineError { try fixture.run(.removeSubscribers([waiting.id, .random()])) }
        #expect(unknown?.code == .notFound && unknown?.field == "subscribers[1]")
        #expect(fixture.state.subscribers.count == 3)
        try fixture.run(.removeSubscribers([waiting.id, active.id]))
        #expect(fixture.state.subscribers.keys.sorted() == [hook.id])
        let many = Array(repeating: hook.id, count: SubscriberPolicy.bulkMax + 1)
        #expect(engineError { try fixture.run(.removeSubscribers(many)) }?.field == "subscribers")
        // A viewer or an editor runs none of them.
        for role in [Role.viewer, .editor] {
            guard case .keyCreated(let key) = try fixture.run(.createKey(name: "k", role: role, secretHash: [1])).first
            else { fatalError("no key") }
            #expect(
                engineError { try fixture.run(.removeSubscribers([hook.id]), by: .apiKey(key.id)) }?.code == .forbidden)
        }
        #expect(fixture.replayed() == fixture.state)
    }
}
