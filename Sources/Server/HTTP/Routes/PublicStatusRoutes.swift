import Auth
package import Engine
import Foundation
package import Hummingbird
import Live
package import NIOCore
import Wire

/// `GET /api/status/{slug}` and `GET /api/public/{slug}/status`: the public summary, and two of its
/// parts (`/services`, `/maintenance`), each from memoised bytes.
package struct PublicStatusRoutes: Sendable {
    package let registry: Registry
    package let representation: CachedRepresentation

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/status/:slug", use: summary)
        router.get("/api/public/:slug/status", use: summary)
        router.get("/api/status/:slug/services", use: services)
        router.get("/api/status/:slug/maintenance", use: maintenance)
    }

    @Sendable package func summary(request: Request, context: StatusdRequestContext) throws -> Response {
        let view = try registry.publicView(slug: context.parameters.get("slug") ?? "")
        return try representation.respond(
            to: request, view: view, key: Self.summaryKey, contentType: Self.jsonType, render: Self.renderSummary)
    }

    package static let summaryKey = "summary.json"
    package static let jsonType = "application/json; charset=utf-8"

    /// The public summary's bytes for one view (memoised by the caller).
    package static func renderSummary(_ view: OrgView) throws -> ByteBuffer {
        ByteBuffer(bytes: try PublicSummary.makeEncoder().encode(PublicSummary(view.state)))
    }

    /// The services and groups of the page, in page order.
    @Sendable package func services(request: Request, context: StatusdRequestContext) throws -> Response {
        try part(request, context, key: "services.json") { summary in
            ServicesPart(services: summary.services, groups: summary.groups)
        }
    }

    /// Maintenance in progress and upcoming, as the page shows it.
    @Sendable package func maintenance(request: Request, context: StatusdRequestContext) throws -> Response {
        try part(request, context, key: "maintenance.json") { summary in
            MaintenancePart(active: summary.activeMaintenance, upcoming: summary.upcomingMaintenance)
        }
    }

    private struct ServicesPart: Encodable {
        package let services: [PublicSummary.ServiceEntry]
        package let groups: [PublicSummary.GroupEntry]
    }

    private struct MaintenancePart: Encodable {
        package let active: [PublicSummary.MaintenanceEntry]
        package let upcoming: [PublicSummary.MaintenanceEntry]
    }

    /// A part of the summary, memoised under its own key like the whole.
    private func part(
        _ request: Request, _ context: StatusdRequestContext, key: String,
        _ pick: @escaping (PublicSummary) -> some Encodable
    ) throws -> Response {
        let view = try registry.publicView(slug: context.parameters.get("slug") ?? "")
        return try representation.respond(
            to: request, view: view, key: key, contentType: "application/json; charset=utf-8"
        ) { view in
            ByteBuffer(bytes: try PublicSummary.makeEncoder().encode(pick(PublicSummary(view.state))))
        }
    }

    package init(registry: Registry, representation: CachedRepresentation) {
        self.registry = registry
        self.representation = representation
    }
}
