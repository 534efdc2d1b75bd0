package import Engine
package import HTTP
import HTTPTypes
package import Hummingbird
import Wire

/// Paths of the Statuspage dialect that the router cannot match as they arrive, mapped in front of it
/// (Hummingbird's router matches whole segments, and middleware runs after the match):
///
/// - `/v1/...` works with and without `.json` (Statuspage's samples use it, real clients differ): the
///   suffix is dropped, so each endpoint is routed and documented once.
/// - `/api/v2/...` on an organization's verified custom domain (the Host header) is that
///   organization's `/s/{slug}/api/v2/...`, as `https://status.example.com/api/v2/summary.json` is on
///   Statuspage. On any other host it stays as it is (and answers 404: statusd has no `/api/v2`).
package struct StatuspagePaths<Inner: HTTPResponder>: HTTPResponder where Inner.Context == StatusdRequestContext {
    package let inner: Inner
    package let registry: Registry

    package func respond(to request: Request, context: StatusdRequestContext) async throws -> Response {
        guard let path = request.head.path, let mapped = map(path, host: request.head.authority) else {
            return try await inner.respond(to: request, context: context)
        }
        var head = request.head
        head.path = mapped
        return try await inner.respond(to: Request(head: head, body: request.body), context: context)
    }

    private func map(_ path: String, host: String?) -> String? {
        if path.hasPrefix("/v1/") { return Self.withoutSuffix(path) }
        if path.hasPrefix("/api/v2/"), let host, let slug = servedSlug(host) {
            return "/s/" + slug + path
        }
        return nil
    }

    /// The slug of the organization whose verified custom domain `authority` (`host[:port]`) is.
    private func servedSlug(_ authority: String) -> String? {
        let host = authority.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        guard let organization = registry.organization(domain: host) else { return nil }
        let state = organization.view.state
        return state.servedDomain == host ? state.settings.slug : nil
    }

    /// The path with `.json` dropped from its last segment (before any query), or nil without one.
    package static func withoutSuffix(_ path: String) -> String? {
        let end = path.firstIndex(of: "?") ?? path.endIndex
        let route = path[..<end]
        guard route.hasSuffix(".json") else { return nil }
        return String(route.dropLast(5)) + path[end...]
    }

    package init(inner: Inner, registry: Registry) {
        self.inner = inner
        self.registry = registry
    }
}
