package import Engine
import Foundation
package import Hummingbird
package import Lifecycle
package import Live
import NIOCore
package import Persistence
package import Prometheus
import Wire

/// `GET /metrics`: Prometheus text format (swift-prometheus). Requests by route template, method and
/// status, and their latency, come from `RequestMetricsMiddleware` (route templates such as
/// `/api/status/{slug}`, never slugs or ids, so the label set stays bounded). The
/// log's and the snapshots' figures are read at scrape time, so the write path pays nothing for them.
package struct MetricsRoutes: Sendable {
    package let registry: PrometheusCollectorRegistry
    package let organizations: Registry
    package let log: any ServedEventLog
    package let snapshots: SnapshotStatus
    package let hub: LiveHub

    private let logBatches: Gauge
    private let logRecords: Gauge
    /// The WAL's fdatasyncs; nil on a shared log.
    private let walSyncs: Gauge?
    private let walFailed: Gauge?
    /// 1 while the shared log takes writes; nil for the WAL.
    private let logReachable: Gauge?
    /// How far this node trails the shared log; nil for the WAL.
    private let lagSeconds: Gauge?
    private let lagPositions: Gauge?
    private let followCursor: Gauge?
    private let organizationCount: Gauge
    private let snapshotAge: Gauge
    private let memoRenders: Gauge
    private let liveSubscriptions: Gauge
    private let liveTopics: Gauge

    package init(
        registry: PrometheusCollectorRegistry, organizations: Registry, log: any ServedEventLog,
        snapshots: SnapshotStatus,
        hub: LiveHub
    ) {
        self.registry = registry
        self.organizations = organizations
        self.log = log
        self.snapshots = snapshots
        self.hub = hub
        func gauge(_ subsystem: String?, _ name: String, unit: String = "", _ help: String) -> Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "statusd", subsystem: subsystem, metricName: name, unitName: unit, helpText: help))
        }
        // The WAL's names are kept from before cluster mode; the shared log's are statusd_log_*.
        switch log.report.kind {
        case .wal:
            logBatches = gauge("wal", "batches", "WAL batches written since start")
            logRecords = gauge("wal", "records", "WAL records written since start")
            walSyncs = gauge("wal", "fdatasyncs", "fdatasync calls since start")
            walFailed = gauge("wal", "failed", "1 once the log has failed: writes answer 503")
            logReachable = nil
            (lagSeconds, lagPositions, followCursor) = (nil, nil, nil)
        case .postgresql:
            logBatches = gauge("log", "batches", "batches this node committed to the log on PostgreSQL since start")
            logRecords = gauge("log", "records", "events this node appended to the log on PostgreSQL since start")
            walSyncs = nil
            walFailed = nil
            logReachable = gauge("log", "reachable", "1 while the log on PostgreSQL takes writes (/ready)")
            lagSeconds = gauge(
                "log", "lag", unit: "seconds",
                "seconds since this node last read to the end of the log (/ready drains it past its limit)")
            lagPositions = gauge("log", "lag_events", "events in the log this node had not applied when it last looked")
            followCursor = gauge("log", "follow_position", "the position of the next event this node will apply")
        }
        organizationCount = gauge(nil, "organizations", "organizations served")
        snapshotAge = gauge("snapshot", "age", unit: "seconds", "seconds since the last snapshot this process wrote")
        liveTopics = gauge("live", "topics", "organizations whose recent frames are kept for resuming")
        liveSubscriptions = gauge(
            "live", "subscriptions",
            "organizations followed by live connections (statusd_live_connections counts the connections)")
        memoRenders = gauge(
            "memo", "renders",
            "public representations rendered since start; hit rate = 1 - renders / public reads")
    }

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/metrics", use: metrics)
    }

    @Sendable package func metrics(request: Request, context: StatusdRequestContext) throws -> Response {
        let report = log.report
        logBatches.set(to: Double(report.batches))
        logRecords.set(to: Double(report.records))
        walSyncs?.set(to: Double(report.syncs ?? 0))
        walFailed?.set(to: report.failure == nil ? 0 : 1)
        logReachable?.set(to: report.reachable ? 1 : 0)
        if let lag = report.lag {
            lagSeconds?.set(to: lag.seconds)
            lagPositions?.set(to: Double(lag.positions))
            followCursor?.set(to: Double(lag.cursor))
        }
        organizationCount.set(to: Double(organizations.all.count))
        snapshotAge.set(to: snapshots.last.map { WallClock.now().timeIntervalSince($0.at) } ?? -1)
        memoRenders.set(to: Double(RenderMemo.renders))
        liveSubscriptions.set(to: Double(hub.subscriptions))
        liveTopics.set(to: Double(hub.topicCount))
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        switch report.kind {
        case .wal:
            Self.emit(
                "statusd_wal_batch_records", "records per WAL batch (group commit at work)", log.batchRecords.counts,
                into: &bytes)
            Self.emit("statusd_wal_fdatasync_seconds", "seconds per fdatasync", log.durableSeconds.counts, into: &bytes)
        case .postgresql:
            Self.emit(
                "statusd_log_batch_records", "events per batch on PostgreSQL (group commit at work)",
                log.batchRecords.counts, into: &bytes)
            Self.emit(
                "statusd_log_commit_seconds", "seconds per batch on PostgreSQL, call to COMMIT returned",
                log.durableSeconds.counts, into: &bytes)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A histogram the log counted itself (`Distribution`), in Prometheus's text format.
    package static func emit(_ name: String, _ help: String, _ counts: Distribution.Counts, into bytes: inout [UInt8]) {
        var text = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (bound, count) in zip(counts.bounds, counts.cumulative) {
            text += "\(name)_bucket{le=\"\(bound)\"} \(count)\n"
        }
        text +=
            "\(name)_bucket{le=\"+Inf\"} \(counts.count)\n\(name)_sum \(counts.sum)\n\(name)_count \(counts.count)\n"
        bytes += Array(text.utf8)
    }
}
