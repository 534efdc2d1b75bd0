package import Hummingbird
import NIOCore
package import Wire

extension Problem: HTTPResponseError {
    /// The problem as `application/problem+json`.
    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try body())))
    }
}

/// A shape other than problem+json for the errors under one path prefix: a compatibility dialect
/// registers one (Statuspage's `/v1` answers `{"error": ...}`), so the core knows no dialect.
package struct ProblemDialect: Sendable {
    /// The requests whose errors it renders, e.g. `/v1/` (unknown paths under it included).
    package let pathPrefix: String
    package let render: @Sendable (Problem) throws -> Response

    package init(pathPrefix: String, render: @escaping @Sendable (Problem) throws -> Response) {
        self.pathPrefix = pathPrefix
        self.render = render
    }
}
