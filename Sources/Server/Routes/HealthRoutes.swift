import Engine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Liveness and readiness: `GET /health`, `GET /api/healthcheck`, `GET /ready`.
struct HealthRoutes: Sendable {
    let registry: Registry
    /// A short name for the event log in use, reported so that operators see what durability they run.
    let logKind: String
    let startedAt: Date

    func add(to router: Router<BasicRequestContext>) {
        router.get("/health", use: health)
        router.get("/api/healthcheck", use: health)
        router.get("/ready", use: ready)
    }

    @Sendable func health(request: Request, context: BasicRequestContext) throws -> Response {
        struct Health: Encodable {
            let status: String
            let log: String
            let organizations: Int
            let uptimeSeconds: Int
        }
        let body = Health(
            status: "ok", log: logKind, organizations: registry.all.count,
            uptimeSeconds: Int(Date().timeIntervalSince(startedAt)))
        return try Self.json(body)
    }

    /// Ready once recovery has finished, which is before the port opens; answering at all means ready.
    @Sendable func ready(request: Request, context: BasicRequestContext) throws -> Response {
        try Self.json(["status": "ready"])
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
