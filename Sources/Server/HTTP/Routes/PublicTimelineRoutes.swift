import Auth
package import Engine
package import Foundation
import HTTPTypes
import HashTreeCollections
package import Hummingbird
import Live
import NIOCore
import Wire

/// `GET /api/status/{slug}/timeline`: what the page said, newest first: every incident and maintenance
/// update the organization holds in memory (the last 90 days; older incidents page through
/// `/api/status/{slug}/incidents`, which reads the archive). The first page is memoised with the view
/// like the summary; later pages (`cursor`, another `limit`) are built per request.
package struct PublicTimelineRoutes: Sendable {
    package let registry: Registry
    package let representation: CachedRepresentation

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/status/:slug/timeline", use: timeline)
    }

    package struct Entry: Encodable, Identifiable {
        /// `incident_update` or `maintenance_update`.
        package let kind: String
        package let id: UpdateID
        package let at: Date
        package let status: String
        package let body: String
        /// The incident's or the window's name.
        package let name: String
        package let incidentID: IncidentID?
        package let maintenanceID: MaintenanceID?
    }

    @Sendable package func timeline(request: Request, context: StatusdRequestContext) throws -> Response {
        let view = try registry.publicView(slug: context.parameters.get("slug") ?? "")
        let limit = try ResourceAPI.limit(request)
        guard request.uri.queryParameters.get("cursor") != nil || limit != ResourceAPI.defaultLimit else {
            return try representation.respond(
                to: request, view: view, key: "timeline.json", contentType: PublicStatusRoutes.jsonType
            ) { view in
                ByteBuffer(bytes: try PublicSummary.makeEncoder().encode(try Self.page(of: view.state, request)))
            }
        }
        var response = try ResourceAPI.json(try Self.page(of: view.state, request))
        response.headers[.cacheControl] = representation.policy.cacheControl
        return response
    }

    private static func page(of state: OrgState, _ request: Request) throws -> Representation.ListBody<Entry> {
        let (items, next) = try ResourceAPI.page(timeline(of: state), request)
        return Representation.ListBody(items: items, nextCursor: next)
    }

    /// Every update in memory, newest first (ties by id, so pages are stable).
    package static func timeline(of state: OrgState) -> [Entry] {
        var entries: [Entry] = []
        for incident in state.incidents.values {
            for update in incident.updates {
                entries.append(
                    Entry(
                        kind: "incident_update", id: update.id, at: update.createdAt, status: update.status.rawValue,
                        body: update.body, name: incident.name, incidentID: incident.id, maintenanceID: nil))
            }
        }
        for window in state.maintenance.values {
            for update in window.updates {
                entries.append(
                    Entry(
                        kind: "maintenance_update", id: update.id, at: update.createdAt, status: update.status.rawValue,
                        body: update.body, name: window.name, incidentID: nil, maintenanceID: window.id))
            }
        }
        return entries.sorted { ($0.at, $0.id.rawValue) > ($1.at, $1.id.rawValue) }
    }

    package init(registry: Registry, representation: CachedRepresentation) {
        self.registry = registry
        self.representation = representation
    }
}
