import Auth
package import Engine
import Foundation
package import HTTP
package import Hummingbird
import NIOCore
package import Wire

/// `GET /s/{slug}/api/v2/...json`, and `/api/v2/...json` on an organization's verified custom domain:
/// Statuspage's public API v2 for one organization (`StatuspagePublic`),
/// each document rendered once per change and served with the caching rules of our own public JSON
/// (strong ETag, 304, gzip copy).
package struct StatuspagePublicRoutes: Sendable {
    package let registry: Registry
    package let representation: CachedRepresentation
    /// `--public-url`: where the pages are, for `url` and `shortlink`.
    package let baseURL: String

    /// Each document: its path under `/s/{slug}/api/v2/` and how it is made.
    package static let documents: [(path: String, make: @Sendable (StatuspagePublic) -> JSONValue)] = [
        ("summary.json", { $0.summary }),
        ("status.json", { $0.statusDocument }),
        ("components.json", { $0.componentsDocument }),
        ("incidents.json", { $0.incidentsDocument }),
        ("incidents/unresolved.json", { $0.unresolvedDocument }),
        ("scheduled-maintenances.json", { $0.maintenanceDocument }),
        ("scheduled-maintenances/upcoming.json", { $0.upcomingDocument }),
        ("scheduled-maintenances/active.json", { $0.activeDocument }),
    ]

    package func add(to router: Router<StatusdRequestContext>) {
        for document in Self.documents {
            let key = "statuspage/" + document.path
            let make = document.make
            let baseURL = baseURL
            let representation = representation
            let serve = { @Sendable (request: Request, view: OrgView) throws -> Response in
                try representation.respond(
                    to: request, view: view, key: key, contentType: "application/json; charset=utf-8"
                ) { view in
                    ByteBuffer(bytes: try make(StatuspagePublic(view.state, baseURL: baseURL)).compact())
                }
            }
            router.get(RouterPath("/s/:slug/api/v2/" + document.path)) { [registry] request, context in
                try serve(request, try registry.publicView(slug: context.parameters.get("slug") ?? ""))
            }
            // The same document on an organization's verified custom domain, as
            // `https://status.example.com/api/v2/summary.json` is on Statuspage; statusd itself has no
            // `/api/v2`, so on any other host it is not found.
            router.get(RouterPath("/api/v2/" + document.path)) { [self] request, _ in
                try serve(request, try registry.publicView(slug: try servedSlug(request.head.authority)))
            }
        }
    }

    /// The slug of the organization whose verified custom domain `authority` (`host[:port]`) is.
    private func servedSlug(_ authority: String?) throws -> String {
        let host = authority?.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        guard let organization = registry.organization(domain: host), organization.view.state.servedDomain == host
        else {
            throw Problem(status: .notFound, detail: "no organization's verified custom domain is '\(host.prefix(64))'")
        }
        return organization.view.state.settings.slug
    }

    package init(registry: Registry, representation: CachedRepresentation, baseURL: String) {
        self.registry = registry
        self.representation = representation
        self.baseURL = baseURL
    }
}
