import Engine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Persistence

/// Liveness and readiness: `GET /health`, `GET /api/healthcheck`, `GET /ready`. Health reports the
/// log (policy, position, group commit counters, failure) and the last snapshot; it answers 503 once
/// the log has failed, so that a supervisor restarts statusd and recovery decides what is on disk.
struct HealthRoutes: Sendable {
    let registry: Registry
    let log: FileEventLog
    let snapshots: SnapshotStatus
    let startedAt: Date

    func add(to router: Router<StatusdRequestContext>) {
        router.get("/health", use: health)
        router.get("/api/healthcheck", use: health)
        router.get("/ready", use: ready)
    }

    struct LogHealth: Encodable {
        let fsync: String
        let position: UInt64
        let batches: Int
        let records: Int
        let fdatasyncs: Int
        let failure: String?
    }

    struct Health: Encodable {
        let status: String
        let log: LogHealth
        let snapshot: SnapshotStatus.Last?
        let organizations: Int
        let uptimeSeconds: Int
    }

    @Sendable func health(request: Request, context: StatusdRequestContext) throws -> Response {
        let statistics = log.statistics
        let failure = log.failure
        let body = Health(
            status: failure == nil ? "ok" : "failed",
            log: LogHealth(
                fsync: "\(log.configuration.fsync)", position: log.appendPosition.rawValue, batches: statistics.batches,
                records: statistics.records, fdatasyncs: statistics.syncs, failure: failure.map { "\($0)" }),
            snapshot: snapshots.last, organizations: registry.all.count,
            uptimeSeconds: Int(WallClock.now().timeIntervalSince(startedAt)))
        return try Self.json(body, status: failure == nil ? .ok : .serviceUnavailable)
    }

    /// Ready once recovery has finished, which is before the port opens; answering at all means ready.
    @Sendable func ready(request: Request, context: StatusdRequestContext) throws -> Response {
        try Self.json(["status": "ready"])
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
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
}
