import Engine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 `application/problem+json` answer: the one shape every `/api` error takes (DESIGN
/// invariant 6); under `/v1`, Statuspage's dialect, the same error in its shape. `EngineError`,
/// Hummingbird's `HTTPError` and decoding errors all become one here.
struct Problem: HTTPResponseError {
    struct FieldError: Encodable, Sendable {
        let field: String
        let message: String
    }

    let status: HTTPResponse.Status
    let title: String
    let detail: String
    let errors: [FieldError]
    /// Headers the status calls for, such as `WWW-Authenticate` on a 401.
    let headers: HTTPFields

    init(status: HTTPResponse.Status, detail: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.title = status.reasonPhrase
        self.detail = detail
        self.errors = field.map { [FieldError(field: $0, message: detail)] } ?? []
        self.headers = headers
    }

    /// The status each engine code maps to (API.md: 401, 403, 404, 422 in that order of checks).
    init(_ error: EngineError) {
        let status: HTTPResponse.Status =
            switch error.code {
            case .notFound: .notFound
            case .forbidden: .forbidden
            case .conflict: .conflict
            case .unavailable: .serviceUnavailable
            default: .unprocessableContent
            }
        self.init(status: status, detail: error.detail, field: error.field)
    }

    private struct Body: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let errors: [FieldError]?
    }

    /// The problem+json body, its members in a fixed order (Foundation's encoder on Linux otherwise
    /// orders them by a per-process hash, so the same problem read differently after a restart).
    func body() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(
            Body(
                type: "about:blank", title: title, status: status.code, detail: detail,
                errors: errors.isEmpty ? nil : errors))
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        if request.uri.path.hasPrefix("/v1/") { return try statuspageResponse() }
        let data = try body()
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The same problem in Statuspage's shape, `{"error": "..."}`, for its management API under `/v1`
    /// (every answer there, unknown paths included, speaks that dialect). Statuspage answers every
    /// refused change 422, so a conflict (a taken name, a move its state machine refuses) is one too.
    func statuspageResponse() throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = try encoder.encode(["error": detail])
        return Response(
            status: status == .conflict ? .unprocessableContent : status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
