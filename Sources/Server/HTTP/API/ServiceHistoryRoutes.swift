import Auth
package import Engine
package import Foundation
import HashTreeCollections
package import Hummingbird
import Live
import NIOCore
import Persistence
import Wire

/// A service's uptime by day and its raw status history, and the public
/// per-organization uptime of `GET /api/status/{slug}/uptime`. Uptime follows docs/RULES.md; days
/// are the organization's.
package struct ServiceHistoryRoutes: Sendable {
    package let api: ResourceAPI
    package let representation: CachedRepresentation

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/services/:id/uptime", use: serviceUptime)
        router.get("/api/services/:id/status-history", use: statusHistory)
        router.get("/api/status/:slug/uptime", use: publicUptime)
        router.get("/api/status/:slug/incidents", use: publicIncidents)
        router.get("/api/public/:slug/incidents", use: publicIncidents)
    }

    package struct DayBody: Encodable {
        package let date: String
        /// 0...1, or null for no data (before the service existed, or a day spent in maintenance).
        package let uptime: Double?
        package let worstStatus: ServiceStatus?

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(date, forKey: InputKey("date"))
            try container.encode(uptime, forKey: InputKey("uptime"))
            try container.encode(worstStatus, forKey: InputKey("worst_status"))
        }
    }

    package struct UptimeBody: Encodable {
        package let serviceID: ServiceID
        package let name: String
        /// Over the whole run; null without data.
        package let uptime: Double?
        package let days: [DayBody]

        package init(_ service: Service, _ report: UptimeReport) {
            serviceID = service.id
            name = service.name
            uptime = report.overall
            days = report.days.map { DayBody(date: $0.date, uptime: $0.uptime, worstStatus: $0.worst) }
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(serviceID, forKey: InputKey("service_id"))
            try container.encode(name, forKey: InputKey("name"))
            try container.encode(uptime, forKey: InputKey("uptime"))
            try container.encode(days, forKey: InputKey("days"))
        }
    }

    package struct ChangeBody: Encodable, Identifiable {
        package let id: String
        package let from: ServiceStatus?
        package let to: ServiceStatus
        package let at: Date
        /// `manual`, `created`, `incident`, `maintenance`, `restored_after_incident`, `restored_after_maintenance`.
        package let reason: String
        /// The incident or maintenance window behind the change, if any.
        package let reasonID: String?
        package let by: String

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(id, forKey: InputKey("id"))
            try container.encode(from, forKey: InputKey("from"))
            try container.encode(to, forKey: InputKey("to"))
            try container.encode(at, forKey: InputKey("at"))
            try container.encode(reason, forKey: InputKey("reason"))
            try container.encode(reasonID, forKey: InputKey("reason_id"))
            try container.encode(by, forKey: InputKey("by"))
        }
    }

    @Sendable package func serviceUptime(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readPage)
        let service = try Self.service(context, in: state)
        let days = try Self.days(request)
        guard let report = state.uptime(of: service.id, days: days, now: WallClock.now()) else {
            throw ResourceAPI.notFound("service", service.id.rawValue)
        }
        return try ResourceAPI.json(UptimeBody(service, report))
    }

    /// Raw status changes of the last 90 days, newest first (older days are folded into the uptime).
    @Sendable package func statusHistory(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readPage)
        let service = try Self.service(context, in: state)
        let history = state.statusHistory[service.id] ?? AppendLog()
        let changes = history.indices.reversed().map { index in
            let change = history[index]
            let (reason, reasonID) = Self.describe(change.reason)
            return ChangeBody(
                id: String(index), from: change.from, to: change.to, at: change.at, reason: reason, reasonID: reasonID,
                by: Representation.author(change.by))
        }
        let (items, next) = try ResourceAPI.page(changes, request)
        return try ResourceAPI.json(Representation.ListBody(items: items, nextCursor: next))
    }

    /// Every service's uptime, public: what the status page's bars show. Memoised with the view per
    /// period, and the period is in the ETag (docs/RULES.md: "the public version, plus the day where days
    /// are shown"): the organization's day, so a new day's bar appears at its midnight; and while a
    /// service is not operational, ten minutes, since today's figure then falls as time passes
    /// without any event.
    @Sendable package func publicUptime(request: Request, context: StatusdRequestContext) async throws -> Response {
        let view = try api.registry.publicView(slug: context.parameters.get("slug") ?? "")
        let days = try Self.days(request)
        let now = WallClock.now()
        let period = "u\(days)-" + view.uptimePeriod.label(at: now)
        return try representation.respond(
            to: request, view: view, key: "uptime-\(period).json", contentType: PublicStatusRoutes.jsonType,
            variant: period
        ) { view in
            let state = view.state
            let services = state.orderedServices.compactMap { service in
                state.uptime(of: service.id, days: days, now: now).map { UptimeBody(service, $0) }
            }
            return ByteBuffer(
                bytes: try PublicSummary.makeEncoder().encode(Representation.ListBody(items: services, nextCursor: nil))
            )
        }
    }

    /// Every incident, newest first, through memory and the archive (`limit`, `cursor`, `status`):
    /// the public history, without who wrote each update.
    @Sendable package func publicIncidents(request: Request, context: StatusdRequestContext) async throws -> Response {
        let state = try api.registry.publicView(slug: context.parameters.get("slug") ?? "").state
        let page = try await api.incidentPage(of: state, request)
        var response = try ResourceAPI.json(
            Representation.ListBody(
                items: page.items.map { Representation.IncidentBody($0, authors: false) },
                nextCursor: page.next.map(CursorText.format)))
        response.headers[.cacheControl] = "public, max-age=5"
        return response
    }

    private static func days(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("days") else { return 90 }
        guard let days = Int(text), (1...HistoryPolicy.dailyDaysMax).contains(days) else {
            throw Problem(
                status: .unprocessableContent, detail: "days must be a number from 1 to \(HistoryPolicy.dailyDaysMax)",
                field: "days")
        }
        return days
    }

    private static func service(_ context: StatusdRequestContext, in state: OrgState) throws -> Service {
        let id = try ResourceAPI.pathID(context, "service", as: ServiceID.self)
        guard let service = state.services[id] else { throw ResourceAPI.notFound("service", id.rawValue) }
        return service
    }

    private static func describe(_ reason: StatusReason) -> (String, String?) {
        switch reason {
        case .manual: ("manual", nil)
        case .created: ("created", nil)
        case .incident(let id): ("incident", id.rawValue)
        case .maintenance(let id): ("maintenance", id.rawValue)
        case .restoredAfterIncident(let id): ("restored_after_incident", id.rawValue)
        case .restoredAfterMaintenance(let id): ("restored_after_maintenance", id.rawValue)
        }
    }

    package init(api: ResourceAPI, representation: CachedRepresentation) {
        self.api = api
        self.representation = representation
    }
}
