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
    package let log: FileEventLog
    package let snapshots: SnapshotStatus
    package let hub: LiveHub

    private let walBatches: Gauge
    private let walRecords: Gauge
    private let walSyncs: Gauge
    private let walFailed: Gauge
    private let organizationCount: Gauge
    private let snapshotAge: Gauge
    private let memoRenders: Gauge
    private let liveSubscriptions: Gauge
    private let liveTopics: Gauge

    package init(
        registry: PrometheusCollectorRegistry, organizations: Registry, log: FileEventLog, snapshots: SnapshotStatus,
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
        walBatches = gauge("wal", "batches", "WAL batches written since start")
        walRecords = gauge("wal", "records", "WAL records written since start")
        walSyncs = gauge("wal", "fdatasyncs", "fdatasync calls since start")
        walFailed = gauge("wal", "failed", "1 once the log has failed: writes answer 503")
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
        let statistics = log.statistics
        walBatches.set(to: Double(statistics.batches))
        walRecords.set(to: Double(statistics.records))
        walSyncs.set(to: Double(statistics.syncs))
        walFailed.set(to: log.failure == nil ? 0 : 1)
        organizationCount.set(to: Double(organizations.all.count))
        snapshotAge.set(to: snapshots.last.map { WallClock.now().timeIntervalSince($0.at) } ?? -1)
        memoRenders.set(to: Double(RenderMemo.renders))
        liveSubscriptions.set(to: Double(hub.subscriptions))
        liveTopics.set(to: Double(hub.topicCount))
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        Self.emit(
            "statusd_wal_batch_records", "records per WAL batch (group commit at work)", log.batchRecords.counts,
            into: &bytes)
        Self.emit("statusd_wal_fdatasync_seconds", "seconds per fdatasync", log.syncSeconds.counts, into: &bytes)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A histogram the WAL writer counted itself (`Distribution`), in Prometheus's text format.
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
