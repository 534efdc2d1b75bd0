import Engine
import Prometheus

/// The deliverer's figures in /metrics: deliveries by channel and outcome, notifications still
/// pending, deliveries waiting for a retry, the age of the oldest pending notification, and whether
/// mail waits for the mail server. Labels
/// never carry an address.
struct DeliveryMetrics: Sendable {
    enum Outcome: String, CaseIterable {
        case sent, failed, quarantined
        /// The channel has no way out configured (email without an SMTP server, SMS without a provider).
        case undeliverable
    }

    private let deliveries: [SubscriberChannel: [Outcome: Counter]]
    let pending: Gauge
    let retrying: Gauge
    let oldestPendingSeconds: Gauge
    /// 1 while mail waits for an unavailable mail server (`MailServerBreaker`), else 0.
    let mailPaused: Gauge

    init(registry: PrometheusCollectorRegistry) {
        deliveries = Dictionary(
            uniqueKeysWithValues: SubscriberChannel.allCases.map { channel in
                (
                    channel,
                    Dictionary(
                        uniqueKeysWithValues: Outcome.allCases.map { outcome in
                            (
                                outcome,
                                registry.makeCounter(
                                    descriptor: MetricNameDescriptor(
                                        namespace: "statusd", subsystem: "notifications", metricName: "deliveries",
                                        unitName: "total",
                                        helpText: "notification deliveries by channel and outcome (failed: will retry)"
                                    ),
                                    labels: [("channel", channel.rawValue), ("outcome", outcome.rawValue)])
                            )
                        })
                )
            })
        pending = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "statusd", subsystem: "notifications", metricName: "pending", unitName: "",
                helpText: "notifications asked for and not yet delivered to every recipient"))
        retrying = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "statusd", subsystem: "notifications", metricName: "retrying", unitName: "",
                helpText: "deliveries waiting for their next attempt"))
        oldestPendingSeconds = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "statusd", subsystem: "notifications", metricName: "oldest_pending", unitName: "seconds",
                helpText: "age of the oldest notification not yet delivered to every recipient"))
        mailPaused = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "statusd", subsystem: "notifications", metricName: "mail_paused", unitName: "",
                helpText: "1 while mail waits for the mail server, which could not be used at the last try"))
    }

    func count(_ channel: SubscriberChannel, _ outcome: Outcome) {
        deliveries[channel]?[outcome]?.increment()
    }
}
