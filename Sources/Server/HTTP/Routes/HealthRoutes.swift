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
/// log (policy, position, group commit counters, failure) and the last snapshot; it answers 503 once
/// the log has failed, so that a supervisor restarts statusd and recovery decides what is on disk.
package struct HealthRoutes: Sendable {
    package let registry: Registry
    package let log: FileEventLog
    package let snapshots: SnapshotStatus
    package let startedAt: Date

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/health", use: health)
        router.get("/api/healthcheck", use: health)
        router.get("/ready", use: ready)
    }

    package struct LogHealth: Encodable {
        package let fsync: String
        package let position: UInt64
        package let batches: Int
        package let records: Int
        package let fdatasyncs: Int
        package let failure: String?
    }

    package struct Health: Encodable {
        package let status: String
        package let version: String
        package let log: LogHealth
        package let snapshot: SnapshotStatus.Last?
        package let organizations: Int
        package let uptimeSeconds: Int
    }

    @Sendable package func health(request: Request, context: StatusdRequestContext) throws -> Response {
        let statistics = log.statistics
        let failure = log.failure
        let body = Health(
            status: failure == nil ? "ok" : "failed", version: StatusdVersion.current,
            log: LogHealth(
                fsync: "\(log.configuration.fsync)", position: log.appendPosition.rawValue, batches: statistics.batches,
                records: statistics.records, fdatasyncs: statistics.syncs, failure: failure.map { "\($0)" }),
            snapshot: snapshots.last, organizations: registry.all.count,
            uptimeSeconds: Int(WallClock.now().timeIntervalSince(startedAt)))
        return try Self.json(body, status: failure == nil ? .ok : .serviceUnavailable)
    }

    /// Ready once recovery has finished, which is before the port opens; answering at all means ready.
    @Sendable package func ready(request: Request, context: StatusdRequestContext) throws -> Response {
        try Self.json(["status": "ready"])
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

    package init(registry: Registry, log: FileEventLog, snapshots: SnapshotStatus, startedAt: Date) {
        self.registry = registry
        self.log = log
        self.snapshots = snapshots
        self.startedAt = startedAt
    }
}
