import Engine
import Foundation
import Hummingbird
import NIOCore

/// `GET /api/status/{slug}` and `GET /api/public/{slug}/status`: the public summary, from memoised bytes.
struct PublicStatusRoutes: Sendable {
    let registry: Registry
    let representation: CachedRepresentation

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/status/:slug", use: summary)
        router.get("/api/public/:slug/status", use: summary)
    }

    @Sendable func summary(request: Request, context: BasicRequestContext) throws -> Response {
        let view = try registry.publicView(slug: context.parameters.get("slug") ?? "")
        return try representation.respond(
            to: request, view: view, key: "summary.json", contentType: "application/json; charset=utf-8"
        ) { view in
            ByteBuffer(bytes: try PublicSummary.makeEncoder().encode(PublicSummary(view.state)))
        }
    }

}
