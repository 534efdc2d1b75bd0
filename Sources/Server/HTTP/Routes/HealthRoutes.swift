package import Engine
package import Foundation
package import HTTPTypes
package import Hummingbird
package import Lifecycle
import Live
import NIOCore
package import Persistence
import Wire

/// Liveness and readiness: `GET /health`, `GET /api/healthcheck`, `GET /ready`. Health reports the
/// log (kind, position, group commit counters, the WAL's policy, reachability, failure) and the last
/// snapshot; it answers 503 once the WAL has failed, so that a supervisor restarts statusd and recovery
/// decides what is on disk. Ready answers 503 while the log cannot take writes.
package struct HealthRoutes: Sendable {
    package let registry: Registry
    package let log: any ServedEventLog
    package let snapshots: SnapshotStatus
    package let startedAt: Date
    /// Seconds a node may trail the shared log it follows before `/ready` drains it.
    package let readyLagLimit: Double
    /// Whether this node leads its cluster (runs the timers and the archive pass).
    package let leads: @Sendable () -> Bool

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/health", use: health)
        router.get("/api/healthcheck", use: health)
        router.get("/ready", use: ready)
    }

    package struct LogHealth: Encodable {
        package let kind: LogReport.Kind
        package let position: UInt64
        package let batches: Int
        package let records: Int
        package let fsync: String?
        package let fdatasyncs: Int?
        package let reachable: Bool
        package let failure: String?
        /// Cluster mode: how far this node trails the log (cursor, positions and seconds behind).
        package let lag: FollowLag.Report?
    }

    package struct Health: Encodable {
        package let status: String
        package let version: String
        package let log: LogHealth
        package let snapshot: SnapshotStatus.Last?
        package let organizations: Int
        package let uptimeSeconds: Int
        /// Cluster mode: whether this node leads (runs the timers and the archive pass).
        package let leader: Bool?
    }

    /// 200 while the process can serve, even with its shared log unreachable (reads go on from memory,
    /// and a supervisor must not restart every node during a database failover); 503 once the WAL failed.
    @Sendable package func health(request: Request, context: StatusdRequestContext) throws -> Response {
        let report = log.report
        let body = Health(
            status: report.failure == nil ? "ok" : "failed", version: StatusdVersion.current,
            log: LogHealth(
                kind: report.kind, position: report.position.rawValue, batches: report.batches,
                records: report.records, fsync: report.fsync, fdatasyncs: report.syncs, reachable: report.reachable,
                failure: report.failure, lag: report.lag),
            snapshot: snapshots.last, organizations: registry.all.count,
            uptimeSeconds: Int(WallClock.now().timeIntervalSince(startedAt)),
            leader: report.kind == .postgresql ? leads() : nil)
        return try Self.json(body, status: report.failure == nil ? .ok : .serviceUnavailable)
    }

    /// Ready once recovery has finished (before the port opens), while writes can land and, in cluster
    /// mode, while the node trails the log by at most `readyLagLimit` seconds: a load balancer drains a
    /// node whose log is unreachable or which serves stale state.
    @Sendable package func ready(request: Request, context: StatusdRequestContext) throws -> Response {
        let report = log.report
        guard report.reachable else {
            throw Problem(
                status: .serviceUnavailable, detail: "the event log cannot be reached: writes answer 503 until it can",
                headers: [.retryAfter: "2"])
        }
        if let lag = report.lag, lag.seconds > readyLagLimit {
            throw Problem(
                status: .serviceUnavailable,
                detail:
                    "this node trails the event log by \(Int(lag.seconds)) s (\(lag.positions) events known): it serves again once caught up",
                headers: [.retryAfter: "2"])
        }
        return try Self.json(["status": "ready"])
    }

    package static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    package init(
        registry: Registry, log: any ServedEventLog, snapshots: SnapshotStatus, startedAt: Date,
        readyLagLimit: Double = 5, leads: @escaping @Sendable () -> Bool = { true }
    ) {
        self.registry = registry
        self.log = log
        self.snapshots = snapshots
        self.startedAt = startedAt
        self.readyLagLimit = readyLagLimit
        self.leads = leads
    }
}
