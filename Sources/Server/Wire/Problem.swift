package import Engine
package import Foundation
package import HTTPTypes

/// An RFC 9457 `application/problem+json` answer: the one shape every `/api` error takes (no request
/// is answered by a crash or a bare 500). `EngineError`, the router's errors and decoding errors all
/// become one; the HTTP target renders it, and a dialect (Statuspage's `/v1`) may render it in its
/// own shape (`ProblemDialect`).
package struct Problem: Error, Sendable {
    package struct FieldError: Encodable, Sendable {
        package let field: String
        package let message: String
    }

    package let status: HTTPResponse.Status
    package let title: String
    package let detail: String
    package let errors: [FieldError]
    /// Headers the status calls for, such as `WWW-Authenticate` on a 401.
    package let headers: HTTPFields

    package init(status: HTTPResponse.Status, detail: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.title = status.reasonPhrase
        self.detail = detail
        self.errors = field.map { [FieldError(field: $0, message: detail)] } ?? []
        self.headers = headers
    }

    /// The status each engine code maps to (401, 403, 404, 422 in the order of docs/RULES.md). An
    /// unavailable log answers 503 at once with Retry-After: the write did not land, and a retry in a
    /// moment (a database failover, a reconnect) may.
    package init(_ error: EngineError) {
        let status: HTTPResponse.Status =
            switch error.code {
            case .notFound: .notFound
            case .forbidden: .forbidden
            case .conflict: .conflict
            case .unavailable: .serviceUnavailable
            default: .unprocessableContent
            }
        self.init(
            status: status, detail: error.detail, field: error.field,
            headers: status == .serviceUnavailable ? [.retryAfter: "2"] : [:])
    }

    private struct Body: Encodable {
        package let type: String
        package let title: String
        package let status: Int
        package let detail: String
        package let errors: [FieldError]?
    }

    /// The problem+json body, its members in a fixed order (Foundation's encoder on Linux otherwise
    /// orders them by a per-process hash, so the same problem read differently after a restart).
    package func body() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(
            Body(
                type: "about:blank", title: title, status: status.code, detail: detail,
                errors: errors.isEmpty ? nil : errors))
    }
}
