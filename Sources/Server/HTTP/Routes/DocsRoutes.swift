import Crypto
package import Foundation
package import HTTPTypes
package import Hummingbird
import Live
package import NIOCore
import Wire

/// `GET /openapi.json`, `GET /docs` and the viewer's two files: fixed bytes made at start-up, with a
/// content hash as ETag so that a browser revalidates them with a 304.
package struct DocsRoutes: Sendable {
    package let document: StaticBytes
    package let page: StaticBytes
    package let script: StaticBytes
    package let stylesheet: StaticBytes

    package init(document openAPI: OpenAPIDocument) throws {
        document = StaticBytes(try openAPI.json.encoded(), contentType: "application/json; charset=utf-8")
        page = StaticBytes(Data(DocsViewer.html.utf8), contentType: "text/html; charset=utf-8")
        script = StaticBytes(Data(DocsViewer.script.utf8), contentType: "text/javascript; charset=utf-8")
        stylesheet = StaticBytes(Data(DocsViewer.css.utf8), contentType: "text/css; charset=utf-8")
    }

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/openapi.json") { request, _ in document.respond(to: request) }
        router.get("/docs") { request, _ in page.respond(to: request) }
        router.get("/docs/viewer.js") { request, _ in script.respond(to: request) }
        router.get("/docs/viewer.css") { request, _ in stylesheet.respond(to: request) }
    }
}

/// Bytes that never change while statusd runs, answered with a strong ETag and 304 on a match.
package struct StaticBytes: Sendable {
    package let bytes: ByteBuffer
    package var headers: HTTPFields

    package init(_ data: Data, contentType: String) {
        bytes = ByteBuffer(bytes: data)
        let digest = SHA256.hash(data: data).prefix(12).hexText
        headers = [
            .contentType: contentType, .eTag: "\"\(digest)\"", .cacheControl: "public, max-age=300",
            // The viewer runs only its own script, and no page may frame it.
            .contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'",
            .xContentTypeOptions: "nosniff",
        ]
    }

    package func respond(to request: Request) -> Response {
        if let condition = request.headers[.ifNoneMatch], let etag = headers[.eTag],
            CachedRepresentation.matches(condition, etag: etag)
        {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }
}
