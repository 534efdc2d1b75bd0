import Auth
import Crypto
import Engine
import Foundation
import HashTreeCollections
import Logging
import Mail
import Persistence
import Prometheus
import Synchronization
import TestSupport
import Testing

@testable import Notify

/// The deliverer against a real file journal and a recording sender: every recipient once, progress
/// kept across a restart, retries and quarantine on a short schedule.
@Suite struct DelivererTests {
    /// Records what was sent; fails deliveries to URLs containing `failing`.
    final class Recorder: NoticeSending {
        let sent = Mutex<[OutgoingMessage]>([])
        let failing: String?

        init(failing: String? = nil) { self.failing = failing }

        func send(_ message: OutgoingMessage) async -> String? {
            sent.withLock { $0.append(message) }
            if let failing, message.url.absoluteString.contains(failing) { return "answered HTTP 500" }
            return nil
        }

        var urls: [String] { sent.withLock { $0.map(\.url.absoluteString) } }
    }

    struct Setup {
        let registry = Registry(log: InMemoryEventLog())
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID())").path
        let actor: OrgActor
        let api: ServiceID

        init() async throws {
            _ = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: .random())
            actor = try #require(registry.organization(slug: "acme"))
            let changes = try await actor.submit(
                .createService(name: "API", description: "", status: .operational, groupID: nil, position: nil),
                by: .system
            ).events.map(\.change)
            guard case .serviceCreated(let service) = changes.first else { throw CancellationError() }
            api = service.id
        }

        func hook(_ name: String, secret: [UInt8]? = nil) async throws -> SubscriberID {
            let draft = SubscriberDraft(
                channel: .webhook, address: "https://hooks.example/\(name)", contactEmail: "ops@example.com",
                confirmed: true, signingSecret: secret)
            guard
                case .subscriberAdded(let subscriber) = try await actor.submit(.addSubscriber(draft), by: .system)
                    .events.first?.change
            else { throw CancellationError() }
            return subscriber.id
        }

        func openIncident() async throws {
            _ = try await actor.submit(
                .createIncident(
                    IncidentDraft(
                        name: "Outage", status: .investigating, impact: .major, body: "Looking into it",
                        affected: [AffectedService(serviceID: api, status: .majorOutage)])), by: .system)
        }

        func reader(_ address: String) async throws {
            let draft = SubscriberDraft(channel: .email, address: address, confirmed: true)
            _ = try await actor.submit(.addSubscriber(draft), by: .system)
        }

        func deliverer(
            _ sending: any NoticeSending, journal: FileDeliveryJournal, retryBase: TimeInterval = 7.5,
            mail: (any MailTransport)? = nil, concurrency: Int = 64, clock: (@Sendable () -> Date)? = nil
        ) throws -> Deliverer {
            var settings = DeliverySettings(publicURL: "https://status.example")
            settings.batch = 2
            settings.retryBase = retryBase
            settings.concurrency = concurrency
            if let clock { settings.clock = clock }
            return Deliverer(
                registry: registry, journal: journal, sending: sending, settings: settings,
                links: SubscriptionLinks(key: SymmetricKey(size: .bits256)),
                mail: try mail.map {
                    MailDelivery(transport: $0, composer: try MailComposer(from: "status@example.test"))
                },
                metrics: PrometheusCollectorRegistry(), logger: Logger(label: "test"))
        }
    }

    @Test func everyRecipient_onceInIdOrder_thenTheNoticeIsCompleted() async throws {
        let setup = try await Setup()
        var hooks: [SubscriberID] = []
        for name in ["a", "b", "c", "d", "e"] { hooks.append(try await setup.hook(name)) }
        try await setup.openIncident()
        // One incident with a named service: an incident notice and a component notice (webhooks hear both).
        #expect(setup.actor.view.state.pendingNotices.count == 2)
        let recorder = Recorder()
        let journal = FileDeliveryJournal(dataDirectory: setup.folder)
        try await setup.deliverer(recorder, journal: journal).pass()
        let byID = Dictionary(
            uniqueKeysWithValues: setup.actor.view.state.subscribers.values.map { ($0.address, $0.id) })
        let order = recorder.urls.map { byID[$0]! }
        // Batches (of 2 here) in id order, one notice after the other; a batch's requests go out at once,
        // so they may leave in any order among themselves.
        func batches(_ ids: ArraySlice<SubscriberID>) -> [[SubscriberID]] {
            stride(from: ids.startIndex, to: ids.endIndex, by: 2).map { ids[$0..<min($0 + 2, ids.endIndex)].sorted() }
        }
        #expect(order.count == 10)
        #expect(
            batches(order[..<5]) + batches(order[5...]) == batches(hooks.sorted()[...]) + batches(hooks.sorted()[...]))
        #expect(setup.actor.view.state.pendingNotices.isEmpty)
        // The journal forgot the completed notices; each message carried a stable idempotency key.
        #expect(try await journal.load().notices.isEmpty)
        let keys = recorder.sent.withLock { $0.compactMap { $0.headers.first { $0.0 == "Idempotency-Key" }?.1 } }
        #expect(Set(keys).count == 10)
    }

    @Test func aRestart_goesOnAfterTheLastProgressMark() async throws {
        let setup = try await Setup()
        var hooks: [SubscriberID] = []
        for name in ["a", "b", "c", "d", "e"] { hooks.append(try await setup.hook(name)) }
        _ = try await setup.actor.submit(.setServiceStatus(setup.api, .degradedPerformance), by: .system)
        let notice = try #require(setup.actor.view.state.pendingNotices.values.first)
        let key = NoticeKey(org: setup.actor.id, seq: notice.seq)
        // A previous process marked the first two done and crashed.
        let journal = FileDeliveryJournal(dataDirectory: setup.folder)
        _ = try await journal.load()
        try await journal.append([.progress(key, lane: .urls, through: hooks.sorted()[1])])
        journal.close()

        let recorder = Recorder()
        try await setup.deliverer(recorder, journal: FileDeliveryJournal(dataDirectory: setup.folder)).pass()
        let byAddress = Dictionary(
            uniqueKeysWithValues: setup.actor.view.state.subscribers.values.map { ($0.address, $0.id) })
        #expect(recorder.urls.map { byAddress[$0]! }.sorted() == Array(hooks.sorted()[2...]), "the rest, once each")
        #expect(setup.actor.view.state.pendingNotices.isEmpty)
    }

    @Test func aFailingHook_isRetried_thenQuarantined_othersUnaffected() async throws {
        let setup = try await Setup()
        let good = try await setup.hook("good")
        let bad = try await setup.hook("bad")
        _ = try await setup.actor.submit(.setServiceStatus(setup.api, .partialOutage), by: .system)
        let recorder = Recorder(failing: "/bad")
        let deliverer = try setup.deliverer(
            recorder, journal: FileDeliveryJournal(dataDirectory: setup.folder), retryBase: 0.001)
        await deliverer.pass()
        #expect(recorder.urls.filter { $0.hasSuffix("/good") }.count == 1)
        // The notice waits for its retries; each pass tries what is due, up to the tenth failure.
        #expect(setup.actor.view.state.pendingNotices.count == 1)
        await eventually("the failing hook's quarantine", within: 30) {
            await deliverer.pass()
            return setup.actor.view.state.subscribers[bad]?.state == .quarantined
        }
        #expect(recorder.urls.filter { $0.hasSuffix("/bad") }.count == 10)
        await deliverer.pass()
        #expect(setup.actor.view.state.pendingNotices.isEmpty)
        #expect(setup.actor.view.state.subscribers[good]?.state == .active)
        let reason = try #require(setup.actor.view.state.subscribers[bad]?.quarantineReason)
        #expect(reason.contains("10 failed deliveries") && reason.contains("HTTP 500"))
    }

    @Test func signedHooks_carryAStandardWebhooksSignature() async throws {
        let setup = try await Setup()
        let secret = Array(repeating: UInt8(7), count: 32)
        _ = try await setup.hook("signed", secret: secret)
        _ = try await setup.actor.submit(.setServiceStatus(setup.api, .majorOutage), by: .system)
        let recorder = Recorder()
        try await setup.deliverer(recorder, journal: FileDeliveryJournal(dataDirectory: setup.folder)).pass()
        let message = try #require(recorder.sent.withLock { $0.first })
        let header = Dictionary(message.headers, uniquingKeysWith: { first, _ in first })
        let id = try #require(header["webhook-id"])
        let timestamp = try #require(header["webhook-timestamp"])
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(contentsOf: message.body)
        let expected = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: secret))
        #expect(header["webhook-signature"] == "v1," + Data(expected).base64EncodedString())
        let body = try #require(try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any])
        #expect((body["component_update"] as? [String: Any])?["new_status"] as? String == "major_outage")
        #expect(body["incident"] == nil)
        let meta = try #require(body["meta"] as? [String: Any])
        #expect((meta["unsubscribe"] as? String)?.hasPrefix("https://status.example/subscriptions/") == true)
    }

    /// Webhook posts and mails in the order they leave; on the first mail, `onFirstMail` runs (a write
    /// made while mail is being sent).
    final class Timeline: NoticeSending, MailTransport {
        let events = Mutex<[String]>([])
        let onFirstMail: @Sendable () async -> Void

        init(onFirstMail: @escaping @Sendable () async -> Void) { self.onFirstMail = onFirstMail }

        func send(_ message: OutgoingMessage) async -> String? {
            events.withLock { $0.append("post " + message.url.lastPathComponent) }
            return nil
        }

        func send(_ mail: MailMessage) async -> MailOutcome {
            let first = events.withLock { list in
                defer { list.append("mail " + mail.to) }
                return !list.contains { $0.hasPrefix("mail ") }
            }
            if first { await onFirstMail() }
            return .sent
        }
    }

    @Test func everyNoticesWebhooks_goBeforeAnyMail_evenOnesAskedForWhileMailing() async throws {
        let setup = try await Setup()
        _ = try await setup.hook("hook")
        for index in 1...3 { try await setup.reader("reader\(index)@example.com") }
        // Two notices at once (the incident and its service's change), then a third while mail goes out.
        try await setup.openIncident()
        let actor = setup.actor
        let api = setup.api
        let timeline = Timeline {
            _ = try? await actor.submit(.setServiceStatus(api, .partialOutage), by: .system)
        }
        try await setup.deliverer(
            timeline, journal: FileDeliveryJournal(dataDirectory: setup.folder), mail: timeline
        ).pass()
        let events = timeline.events.withLock { $0 }
        #expect(events.filter { $0 == "post hook" }.count == 3, "\(events)")
        let firstMail = try #require(events.firstIndex { $0.hasPrefix("mail ") })
        #expect(events[..<firstMail].filter { $0 == "post hook" }.count == 2, "both notices' webhooks first: \(events)")
        // The third notice's webhook went out between two batches of mail, not after the last one.
        let lastMail = try #require(events.lastIndex { $0.hasPrefix("mail ") })
        #expect(events[firstMail..<lastMail].contains("post hook"), "\(events)")
        #expect(events.filter { $0.hasPrefix("mail ") }.count == 3)
    }

    /// A mail server that cannot be reached until `away` is cleared; what it saw.
    final class AwayThenBack: MailTransport {
        let away = Mutex(true)
        let triesWhileAway = Mutex(0)
        let delivered = Mutex<[String]>([])

        func send(_ mail: MailMessage) async -> MailOutcome {
            if away.withLock({ $0 }) {
                triesWhileAway.withLock { $0 += 1 }
                return .unavailable("could not connect to the mail server")
            }
            delivered.withLock { $0.append(mail.to) }
            return .sent
        }
    }

    @Test func aMailServerThatIsAway_pausesMail_countingNothingAgainstSubscribers_thenEveryoneIsToldOnce()
        async throws
    {
        let setup = try await Setup()
        _ = try await setup.hook("hook")
        let readers = (1...5).map { "reader\($0)@example.com" }
        for reader in readers { try await setup.reader(reader) }
        try await setup.openIncident()
        let server = AwayThenBack()
        let recorder = Recorder()
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        // One send at a time, so that "no mail started after the server was found away" shows in a count.
        let deliverer = try setup.deliverer(
            recorder, journal: FileDeliveryJournal(dataDirectory: setup.folder), mail: server, concurrency: 1,
            clock: { now.withLock { $0 } })
        await deliverer.pass()
        #expect(recorder.urls.count == 2, "the webhooks do not wait for the mail server: \(recorder.urls)")
        #expect(server.triesWhileAway.withLock { $0 } == 1, "one try, then mail pauses")
        await deliverer.pass()
        #expect(server.triesWhileAway.withLock { $0 } == 1, "nothing tried during the pause")
        // Twelve pauses over: more than the 10 attempts that would quarantine an address.
        for _ in 1...12 {
            now.withLock { $0 += 3_600 }
            await deliverer.pass()
        }
        #expect(server.triesWhileAway.withLock { $0 } == 13, "one probe after each pause, not every mail")
        let state = setup.actor.view.state
        #expect(state.subscribers.values.allSatisfy { $0.state == .active }, "nobody quarantined")
        #expect(state.pendingNotices.count == 1, "the incident's mail is still owed")

        server.away.withLock { $0 = false }
        now.withLock { $0 += 3_600 }
        for _ in 1...10 where !setup.actor.view.state.pendingNotices.isEmpty { await deliverer.pass() }
        #expect(setup.actor.view.state.pendingNotices.isEmpty)
        #expect(server.delivered.withLock { $0 }.sorted() == readers, "each reader once")
        #expect(recorder.urls.count == 2, "no webhook sent again")
    }
}
