import Auth
package import Engine
package import Foundation
import HashTreeCollections
package import Hummingbird
import Live
package import Persistence
import Wire

/// `/api/incidents`: list (memory and archive, newest first, filterable), open, read, edit, post
/// updates, change status, resolve, delete. Incident requests set the status of the services
/// they affect under the coupling rules, which the engine applies.
package struct IncidentRoutes: Sendable {
    package let api: ResourceAPI

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/incidents", use: list)
        router.post("/api/incidents", use: create)
        router.get("/api/incidents/:id", use: read)
        router.put("/api/incidents/:id", use: edit)
        router.delete("/api/incidents/:id", use: delete)
        router.post("/api/incidents/:id/updates", use: postUpdate)
        router.put("/api/incidents/:id/updates/:update_id", use: editUpdate)
        router.put("/api/incidents/:id/status", use: postUpdate)
        router.put("/api/incidents/:id/resolve", use: resolve)
    }

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readPage)
        let page = try await api.incidentPage(of: state, request)
        return try ResourceAPI.json(
            Representation.ListBody(
                items: page.items.map { Representation.IncidentBody($0) }, nextCursor: page.next.map(CursorText.format))
        )
    }

    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .editPage)
        let input = try await JSONBody.decode(IncidentInput.self, from: request)
        guard let name = input.name else {
            throw Problem(status: .unprocessableContent, detail: "name is required", field: "name")
        }
        guard let body = input.body else {
            throw Problem(status: .unprocessableContent, detail: "body (the first update) is required", field: "body")
        }
        let draft = IncidentDraft(
            name: name, status: input.status ?? .investigating, impact: input.impact ?? .minor, body: body,
            affected: input.affected ?? [], notify: input.notify)
        let (commit, state) = try await api.run(.createIncident(draft), as: caller)
        let id = try ResourceAPI.created(commit) {
            if case .incidentCreated(let incident) = $0 { incident.id } else { nil }
        }
        return try ResourceAPI.json(
            Representation.IncidentBody(try incident(id, in: state)), status: .created, location: "/api/incidents/\(id)"
        )
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readPage)
        let id = try Self.id(context)
        guard let found = try await api.history.incident(id, in: state) else {
            throw ResourceAPI.notFound("incident", id.rawValue)
        }
        return try ResourceAPI.json(Representation.IncidentBody(found))
    }

    /// `PUT /api/incidents/{id}`: name and impact; a `status`, `body` or `affected_services` in the same
    /// request posts an update too.
    @Sendable package func edit(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .editPage)
        let id = try incident(try Self.id(context), in: current).id
        let input = try await JSONBody.decode(IncidentInput.self, from: request)
        var state = current
        if input.name != nil || input.impact != nil {
            state = try await api.run(.editIncident(id, name: input.name, impact: input.impact), as: caller).state
        }
        if input.status != nil || input.body != nil || input.affected != nil {
            state = try await post(input, to: id, as: caller)
        }
        return try ResourceAPI.json(Representation.IncidentBody(try incident(id, in: state)))
    }

    /// `POST /api/incidents/{id}/updates` and `PUT /api/incidents/{id}/status`.
    @Sendable package func postUpdate(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .editPage)
        let id = try incident(try Self.id(context), in: current).id
        let state = try await post(try await JSONBody.decode(IncidentInput.self, from: request), to: id, as: caller)
        return try ResourceAPI.json(Representation.IncidentBody(try incident(id, in: state)))
    }

    /// `PUT /api/incidents/{id}/updates/{update_id}`: corrects an update's text.
    @Sendable package func editUpdate(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .editPage)
        let id = try incident(try Self.id(context), in: current).id
        let update = try ResourceAPI.pathID(context, "update", as: UpdateID.self, parameter: "update_id")
        let input = try await JSONBody.decode(UpdateTextInput.self, from: request)
        let (_, state) = try await api.run(.editIncidentUpdate(id, update, body: input.body), as: caller)
        return try ResourceAPI.json(Representation.IncidentBody(try incident(id, in: state)))
    }

    /// `PUT /api/incidents/{id}/resolve`: an update to `resolved`; the body is optional here.
    @Sendable package func resolve(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .editPage)
        let id = try incident(try Self.id(context), in: current).id
        var input = IncidentInput()
        if request.headers[.contentLength].flatMap(Int.init) ?? 0 > 0 {
            input = try await JSONBody.decode(IncidentInput.self, from: request)
        }
        input.status = .resolved
        let state = try await post(input, to: id, as: caller)
        return try ResourceAPI.json(Representation.IncidentBody(try incident(id, in: state)))
    }

    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .editPage)
        _ = try await api.run(.deleteIncident(try Self.id(context)), as: caller)
        return ResourceAPI.noContent()
    }

    private func post(_ input: IncidentInput, to id: IncidentID, as caller: Caller) async throws -> OrgState {
        let body = input.body ?? input.status?.defaultUpdateBody ?? ""
        return try await api.run(
            .postIncidentUpdate(
                id, status: input.status, body: body, affected: input.affected, notify: input.notify), as: caller
        ).state
    }

    private static func id(_ context: StatusdRequestContext) throws -> IncidentID {
        try ResourceAPI.pathID(context, "incident", as: IncidentID.self)
    }

    private func incident(_ id: IncidentID, in state: OrgState) throws -> Incident {
        guard let incident = state.incidents[id] else { throw ResourceAPI.notFound("incident", id.rawValue) }
        return incident
    }

    package init(api: ResourceAPI) {
        self.api = api
    }
}

extension ResourceAPI {
    /// A page of an organization's incidents, newest first, through memory and the archive, as the
    /// query asks (`limit`, `cursor`, and the filters of `IncidentFilter`).
    package func incidentPage(of state: OrgState, _ request: Request) async throws -> HistoryPage<Incident> {
        let filter = try IncidentFilter(request)
        let limit = try ResourceAPI.limit(request)
        let cursor = try CursorText.cursor(request, of: Incident.self)
        return try await history.incidents(in: state, after: cursor, limit: limit) { filter.matches($0) }
    }
}

/// The filters of `GET /api/incidents`: `status` (a status, `active` or `resolved`), `service`, and
/// `since`/`until` on the start time.
package struct IncidentFilter: Sendable {
    package var statuses: Set<IncidentStatus>?
    package var service: ServiceID?
    package var since: Date?
    package var until: Date?

    package init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query.get("status") {
            switch text.lowercased() {
            case "active": statuses = Set(IncidentStatus.allCases.filter(\.isActive))
            case "resolved": statuses = [.resolved, .postmortem]
            default:
                guard let status = IncidentStatus(input: text) else {
                    throw Problem(
                        status: .unprocessableContent,
                        detail: "status must be active, resolved or \(choices(IncidentStatus.self))", field: "status")
                }
                statuses = [status]
            }
        }
        if let text = query.get("service") {
            guard let id = ServiceID(text) else {
                throw Problem(status: .unprocessableContent, detail: "service must be a service id", field: "service")
            }
            service = id
        }
        since = try Self.time(query.get("since"), field: "since")
        until = try Self.time(query.get("until"), field: "until")
    }

    package func matches(_ incident: Incident) -> Bool {
        (statuses?.contains(incident.status) ?? true)
            && (service.map { id in incident.affected.contains { $0.serviceID == id } } ?? true)
            && (since.map { incident.createdAt >= $0 } ?? true) && (until.map { incident.createdAt < $0 } ?? true)
    }

    private static func time(_ text: String?, field: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = try? Date(text, strategy: .iso8601) else {
            throw Problem(status: .unprocessableContent, detail: "\(field) must be an RFC 3339 time", field: field)
        }
        return date
    }
}
