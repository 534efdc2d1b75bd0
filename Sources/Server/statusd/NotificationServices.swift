import Auth
import Engine
import Logging
import Mail
import NIOCore
import Notify
import Outbound
import OutboundClient
import Persistence
import Prometheus

/// The deliverer as `statusd serve` assembles it (docs/SUBSCRIBERS.md): its journal (the cluster's
/// table, else a file beside the WAL), its guarded client on an event loop of its own, and its settings.
enum NotificationServices {
    /// - Returns: the deliverer, and the local journal to close at shutdown (opened only when used).
    static func deliverer(
        options: ServeOptions, smtpPassword: String?, registry: Registry, cluster: ClusterServices?,
        dataDirectory: String, tokens: SessionTokens, doorbell: DeliveryDoorbell, log: DeliveryLog,
        leads: @escaping @Sendable () -> Bool,
        metrics: PrometheusCollectorRegistry, logger: Logger
    ) throws -> (Deliverer, FileDeliveryJournal) {
        // Only the leader delivers; in a cluster its marks are rows every node can read, so a new leader
        // goes on where the last one stopped.
        let localJournal = FileDeliveryJournal(dataDirectory: dataDirectory)
        let journal: any DeliveryJournal = cluster?.deliveryJournal ?? localJournal
        var settings = DeliverySettings(publicURL: options.publicBaseURL)
        settings.retryBase = options.notifyRetryBaseSeconds
        settings.concurrency = options.notifyConcurrency
        var limits = OutboundClient.Limits()
        limits.totalTimeout = .seconds(30)  // Statuspage's rule: a 2xx within 30 s is success
        limits.reuseClients = true  // one host's webhooks (Slack's, Discord's) share its connections
        // The deliverer's connections on its own lower-priority loops: a burst to 10,000 webhooks must not
        // queue the server's requests behind it (BENCHMARKS.md, "Notifications"; `DeliveryThreads`).
        let client = OutboundClient(
            policy: try options.outboundPolicy(),
            resolver: AddressResolver(dnsServer: try options.configuredDNSServer()),
            limits: limits, eventLoops: DeliveryThreads.shared.loops, metrics: metrics)
        // Mail goes to the operator's server, not to an address a tenant chose: no outbound guard.
        var mail: MailDelivery? = nil
        if let smtp = options.smtpSettings(password: smtpPassword), let from = options.smtpFrom {
            mail = MailDelivery(transport: try SMTPTransport(settings: smtp), composer: try MailComposer(from: from))
        }
        let deliverer = Deliverer(
            registry: registry, journal: journal, sending: GuardedPosting(client: client), settings: settings,
            links: SubscriptionLinks(sessions: tokens), mail: mail, doorbell: doorbell, leads: leads, log: log,
            metrics: metrics, logger: logger)
        return (deliverer, localJournal)
    }
}
