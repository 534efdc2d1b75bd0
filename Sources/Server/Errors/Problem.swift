import Engine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 `application/problem+json` answer: the one shape every `/api` error takes (DESIGN
/// invariant 6). `EngineError`, Hummingbird's `HTTPError` and decoding errors all become one here.
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

    /// The problem+json body.
    func body() throws -> Data {
        try JSONEncoder().encode(
            Body(
                type: "about:blank", title: title, status: status.code, detail: detail,
                errors: errors.isEmpty ? nil : errors))
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try body()
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
