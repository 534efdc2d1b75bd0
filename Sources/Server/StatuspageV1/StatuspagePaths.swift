import HTTPTypes
import Hummingbird

/// Statuspage's v1 paths work with and without `.json` (its documented samples use it, real clients
/// differ). Hummingbird's router matches whole segments and middleware runs after the match, so the
/// suffix is dropped here, in front of the router: each endpoint is routed and documented once.
struct StatuspagePaths<Inner: HTTPResponder>: HTTPResponder where Inner.Context == StatusdRequestContext {
    let inner: Inner

    func respond(to request: Request, context: StatusdRequestContext) async throws -> Response {
        guard let path = request.head.path, path.hasPrefix("/v1/"), let trimmed = Self.withoutSuffix(path) else {
            return try await inner.respond(to: request, context: context)
        }
        var head = request.head
        head.path = trimmed
        return try await inner.respond(to: Request(head: head, body: request.body), context: context)
    }

    /// The path with `.json` dropped from its last segment (before any query), or nil without one.
    static func withoutSuffix(_ path: String) -> String? {
        let end = path.firstIndex(of: "?") ?? path.endIndex
        let route = path[..<end]
        guard route.hasSuffix(".json") else { return nil }
        return String(route.dropLast(5)) + path[end...]
    }
}
