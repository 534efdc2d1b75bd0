import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Persistence
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `statusbench notify`: N webhook subscribers of one organization, their receivers inside this process
/// on 127.0.0.2 to 127.0.0.9 (`WebhookSinkServer`), M email subscribers with a mail server inside this
/// process too (`SMTPSinkServer`), and an incident that names a service: the time from the incident
/// post's 2xx to the last incident webhook answered, to the last component webhook (webhooks hear both)
/// and to the last mail accepted, deliveries per second, statusd's CPU per delivery and its memory. Beside it,
/// the latency of small writes (an incident update that notifies nobody) while the burst runs and
/// while nothing runs, alternating in one run.
struct NotifyScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify", abstract: "Webhook notifications to N subscribers: burst time and write latency.")

    @Option(help: "The statusd binary (a release build).")
    var statusd = ".build/release/statusd"

    @Option(help: "Webhook subscribers.")
    var webhooks = 10_000

    @Option(help: "Email subscribers (their mails go to a mail server inside statusbench).")
    var emails = 0

    @Option(help: "Connections statusd keeps to the mail server (--smtp-connections).")
    var smtpConnections = 16

    @Option(help: "Rounds; each makes a new statusd and sends one burst.")
    var rounds = 3

    @Option(help: "Small writes timed during each burst and again while idle.")
    var writes = 200

    @Option(help: "Notifications statusd sends at once (--notify-concurrency).")
    var concurrency = 64

    @Flag(help: "The receivers close each connection after answering (statusd then connects per webhook).")
    var close = false

    @Option(help: "Directory for notify.jsonl and notify.md.")
    var output = "bench-results"

    mutating func validate() throws {
        guard FileManager.default.isExecutableFile(atPath: statusd) else {
            throw ValidationError("no statusd at \(statusd): swift build -c release --product statusd")
        }
        guard (0...200_000).contains(webhooks), (0...200_000).contains(emails), webhooks + emails > 0 else {
            throw ValidationError("--webhooks and --emails must be 0...200000, not both 0")
        }
    }

    func run() async throws {
        let environment = BenchEnvironment.current()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let sink = try await WebhookSinkServer.start(group: group, closing: close)
        let mailSink = try await SMTPSinkServer.start(group: group)
        var results: [BenchResult] = []
        for round in 1...rounds {
            sink.reset()
            mailSink.reset()
            let server = try StatusdChild(
                binary: statusd,
                arguments: [
                    "--outbound-allow", "127.0.0.2/31,127.0.0.4/30,127.0.0.8/31",
                    "--notify-concurrency", "\(concurrency)", "--public-url", "https://status.bench.example",
                    "--smtp-url", mailSink.url, "--smtp-from", "status@bench.example", "--no-smtp-starttls",
                    "--smtp-connections", "\(smtpConnections)",
                ])
            defer { server.stop() }
            let base = "http://127.0.0.1:\(server.port)"
            let token = try await Self.owner(base)
            let service =
                try await BenchAPI.call(base, "POST", "/api/services", token, ["name": "API"])["id"] as? String ?? ""
            try await Self.subscribe(webhooks, base: base, token: token) { index in
                [
                    "type": "webhook", "endpoint": "\(sink.bases[index % sink.bases.count])/hook/\(index)",
                    "contact_email": "ops@bench.example",
                ]
            }
            try await Self.subscribe(emails, base: base, token: token) { index in
                ["type": "email", "email": "reader\(index)@bench.example", "skip_confirmation_notification": true]
            }
            let quiet =
                try await BenchAPI.call(
                    base, "POST", "/api/incidents", token,
                    ["name": "Timing", "body": "A write timed", "notify": false])["id"] as? String ?? ""
            let idle = try await Self.timeWrites(writes, base: base, token: token, incident: quiet)

            let cpuBefore = ProcessStats.cpuSeconds(server.process.processIdentifier)
            let start = ContinuousClock.now
            _ = try await BenchAPI.call(
                base, "POST", "/api/incidents", token,
                [
                    "name": "Outage", "body": "Looking into it", "impact": "major",
                    "affected_services": [["service_id": service, "status": "major_outage"]],
                ])
            let acknowledged = ContinuousClock.now
            let busy = try await Self.timeWrites(writes, base: base, token: token, incident: quiet)
            let deadline = ContinuousClock.now + .seconds(600)
            while sink.arrivals.withLock({ $0.incident < webhooks || $0.component < webhooks })
                || mailSink.arrivals.withLock({ $0.mails < emails })
            {
                guard ContinuousClock.now < deadline else { throw ValidationError("the burst did not finish in 600 s") }
                try await Task.sleep(for: .milliseconds(20))
            }
            let arrivals = sink.arrivals.withLock { $0 }
            let mails = mailSink.arrivals.withLock { $0 }
            let cpu = ProcessStats.cpuSeconds(server.process.processIdentifier) - cpuBefore
            let rss = ProcessStats.residentBytes(server.process.processIdentifier)
            let incidentSeconds = webhooks == 0 ? 0 : (arrivals.lastIncident - acknowledged).seconds
            let componentSeconds = webhooks == 0 ? 0 : (arrivals.lastComponent - acknowledged).seconds
            let mailSeconds = emails == 0 ? 0 : (mails.last - acknowledged).seconds
            let webhookEnd = webhooks == 0 ? acknowledged : max(arrivals.lastIncident, arrivals.lastComponent)
            let allSeconds = (max(webhookEnd, emails == 0 ? acknowledged : mails.last) - acknowledged).seconds
            let deliveries = Double(arrivals.incident + arrivals.component + mails.mails)
            let result = BenchResult(
                scenario: "notify",
                parameters: [
                    "webhooks": "\(webhooks)", "emails": "\(emails)", "round": "\(round)",
                    "receivers": close ? "close" : "keep-alive",
                ],
                opsPerSecond: deliveries / allSeconds, p50Micros: busy.percentile(50),
                p99Micros: busy.percentile(99), p999Micros: busy.percentile(99.9),
                extra: [
                    "incident_webhooks_s": incidentSeconds, "component_webhooks_s": componentSeconds,
                    "all_mails_s": mailSeconds, "all_s": allSeconds,
                    "mails_per_s": emails == 0 ? 0 : Double(mails.mails) / mailSeconds,
                    "smtp_connections": Double(mails.connections),
                    "post_ms": (acknowledged - start).seconds * 1_000, "deliveries": deliveries,
                    "cpu_us_per_delivery": cpu / deliveries * 1_000_000, "rss_mib": Double(rss) / 1_048_576,
                    "idle_write_p50_us": Double(idle.percentile(50)), "idle_write_p99_us": Double(idle.percentile(99)),
                ],
                environment: environment)
            print(result.jsonLine())
            results.append(result)
        }
        await sink.stop()
        await mailSink.stop()
        try await group.shutdownGracefully()
        let directory = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (results.map { $0.jsonLine() }.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("notify.jsonl"), atomically: true, encoding: .utf8)
        try ResultTable.markdown(
            results, columns: ["webhooks", "emails", "round"],
            extraColumns: [
                "incident_webhooks_s", "component_webhooks_s", "all_mails_s", "all_s", "mails_per_s", "post_ms",
                "cpu_us_per_delivery",
                "rss_mib",
                "idle_write_p50_us", "idle_write_p99_us",
            ]
        ).write(to: directory.appendingPathComponent("notify.md"), atomically: true, encoding: .utf8)
    }

    /// Signs up, makes the organization, and returns the session token.
    static func owner(_ base: String) async throws -> String {
        let signUp = try await BenchAPI.call(
            base, "POST", "/api/auth/signup", nil,
            ["email": "bench@example.com", "password": "correct horse battery", "name": "Bench"])
        guard let token = signUp["token"] as? String else { throw ValidationError("sign-up failed: \(signUp)") }
        _ = try await BenchAPI.call(base, "POST", "/api/organizations", token, ["slug": "notify", "name": "Notify"])
        return token
    }

    /// Adds `count` subscribers, 32 requests at a time, each with the body `subscriber(index)` makes.
    static func subscribe(
        _ count: Int, base: String, token: String, _ subscriber: @escaping @Sendable (Int) -> [String: Any]
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add(_ index: Int) {
                group.addTask {
                    _ = try await BenchAPI.call(base, "POST", "/api/subscribers", token, subscriber(index))
                }
            }
            while next < min(32, count) {
                add(next)
                next += 1
            }
            while try await group.next() != nil {
                if next < count {
                    add(next)
                    next += 1
                }
            }
        }
    }

    /// Posts `count` updates that notify nobody, one after the other; their latencies in µs.
    static func timeWrites(_ count: Int, base: String, token: String, incident: String) async throws
        -> LatencyRecorder
    {
        var latencies = LatencyRecorder()
        for index in 0..<count {
            let start = ContinuousClock.now
            _ = try await BenchAPI.call(
                base, "POST", "/api/incidents/\(incident)/updates", token,
                ["body": "Timed write \(index)", "notify": false])
            latencies.record(ContinuousClock.now - start)
        }
        return latencies
    }
}
