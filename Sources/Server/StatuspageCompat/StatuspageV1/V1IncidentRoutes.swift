import Auth
import Engine
import Foundation
package import HTTP
import HashTreeCollections
package import Hummingbird
import Persistence
import Wire

/// `/v1/pages/{page_id}/incidents`: our incidents and, as Statuspage keeps them, our maintenance
/// windows (ids `inc_...` and `mnt_...` never collide, so one path names either). A PATCH that
/// changes `status` or `body` appends an update, as on Statuspage; `cancelled` windows read as
/// `completed`.
package struct V1IncidentRoutes: Sendable {
    package let v1: StatuspageV1API

    package func add(to router: V1Router) {
        router.get("/pages/:page_id/incidents", use: list)
        router.post("/pages/:page_id/incidents", use: create)
        router.get("/pages/:page_id/incidents/unresolved", use: unresolved)
        router.get("/pages/:page_id/incidents/scheduled", use: scheduled)
        router.get("/pages/:page_id/incidents/upcoming", use: upcoming)
        router.get("/pages/:page_id/incidents/active_maintenance", use: activeMaintenance)
        router.get("/pages/:page_id/incidents/:incident_id", use: read)
        router.patch("/pages/:page_id/incidents/:incident_id", use: update)
        router.put("/pages/:page_id/incidents/:incident_id", use: update)
        router.delete("/pages/:page_id/incidents/:incident_id", use: delete)
        let update = "/pages/:page_id/incidents/:incident_id/incident_updates/:incident_update_id"
        router.patch(RouterPath(update), use: editUpdate)
        router.put(RouterPath(update), use: editUpdate)
    }

    // MARK: Lists

    /// Incidents and maintenance, newest first (an incident by its start, a window by its scheduled
    /// start), from memory and the archive; `q` keeps those whose name or updates contain it.
    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        let paging = try V1Paging(request)
        let query = request.uri.queryParameters.get("q").map { $0.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let history = v1.api.history
        let incidents = try await history.incidents(in: state, limit: paging.depth) { incident in
            query.map { Self.mentions(incident.name, incident.updates.map(\.body), $0) } ?? true
        }.items
        let windows = try await history.maintenance(in: state, limit: paging.depth) { window in
            query.map { Self.mentions(window.name, window.updates.map(\.body) + [window.description], $0) } ?? true
        }.items
        // Merged by listing time, then only the page asked for is rendered.
        let merged =
            (incidents.map { ($0.listedAt, $0.id.rawValue, Listed.incident($0)) }
            + windows.map { ($0.listedAt, $0.id.rawValue, Listed.window($0)) })
            .sorted { ($0.0, $0.1) > ($1.0, $1.1) }
        let shapes = v1.shapes(state)
        let page = paging.slice(merged).map { entry -> JSONValue in
            switch entry.2 {
            case .incident(let incident): shapes.v1Incident(incident)
            case .window(let window): shapes.v1Maintenance(window)
            }
        }
        return try StatuspageV1API.json(.array(page))
    }

    private enum Listed {
        case incident(Incident)
        case window(Maintenance)
    }

    @Sendable package func unresolved(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        let paging = try V1Paging(request)
        let shapes = v1.shapes(state)
        return try StatuspageV1API.json(.array(paging.slice(PageContent(state).openIncidents).map(shapes.v1Incident)))
    }

    /// Every maintenance window ("scheduled incidents"), newest scheduled start first.
    @Sendable package func scheduled(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        let paging = try V1Paging(request)
        let windows = try await v1.api.history.maintenance(in: state, limit: paging.depth).items
        let shapes = v1.shapes(state)
        return try StatuspageV1API.json(.array(paging.slice(windows).map(shapes.v1Maintenance)))
    }

    /// Windows not yet started, soonest first.
    @Sendable package func upcoming(request: Request, context: StatusdRequestContext) async throws -> Response {
        try await maintenance(request, context) { $0.maintenanceUpcoming }
    }

    /// Windows in progress or verifying, soonest first.
    @Sendable package func activeMaintenance(request: Request, context: StatusdRequestContext) async throws -> Response
    {
        try await maintenance(request, context) { $0.maintenanceUnderway }
    }

    private func maintenance(
        _ request: Request, _ context: StatusdRequestContext, _ shown: (PageContent) -> [Maintenance]
    ) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        let paging = try V1Paging(request)
        let shapes = v1.shapes(state)
        let windows = shown(PageContent(state))
        return try StatuspageV1API.json(.array(paging.slice(windows).map(shapes.v1Maintenance)))
    }

    private static func mentions(_ name: String, _ texts: [String], _ query: String) -> Bool {
        name.lowercased().contains(query) || texts.contains { $0.lowercased().contains(query) }
    }

    // MARK: One

    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await v1.authorize(request, context, for: .editPage)
        let input = try V1IncidentInput(try await V1Body.read(request).fields("incident"))
        guard let name = input.name else { throw input.fields.required("name") }
        if input.isMaintenance { return try await schedule(input, name: name, as: caller) }
        let draft = IncidentDraft(
            name: name, status: input.status ?? .investigating, impact: input.derivedImpact,
            body: input.body ?? (input.status ?? .investigating).defaultUpdateBody,
            affected: input.affected ?? [], notify: input.notify)
        let (commit, state) = try await v1.run(.createIncident(draft), as: caller)
        let id = try ResourceAPI.created(commit) {
            if case .incidentCreated(let incident) = $0 { incident.id } else { nil }
        }
        guard let incident = state.incidents[id] else {
            throw Problem(status: .notFound, detail: "deleted meanwhile by another request")
        }
        return try StatuspageV1API.json(v1.shapes(state).v1Incident(incident), status: .created)
    }

    /// A maintenance window from a scheduled incident; one created `in_progress` starts at once.
    private func schedule(_ input: V1IncidentInput, name: String, as caller: Caller) async throws -> Response {
        guard let start = input.scheduledFor else { throw input.fields.required("scheduled_for") }
        guard let end = input.scheduledUntil else { throw input.fields.required("scheduled_until") }
        let details = MaintenanceDetails(
            name: name, description: input.body ?? "", scheduledStart: start, scheduledEnd: end,
            affected: input.serviceIDs ?? [], autoStart: input.autoStart ?? false,
            autoComplete: input.autoComplete ?? false)
        var (commit, state) = try await v1.run(.scheduleMaintenance(details, notify: input.notify), as: caller)
        let id = try ResourceAPI.created(commit) {
            if case .maintenanceScheduled(let window) = $0 { window.id } else { nil }
        }
        if let status = input.maintenanceStatus, status != .scheduled {
            state = try await v1.run(.setMaintenanceStatus(id, status, body: nil), as: caller).state
        }
        guard let window = state.maintenance[id] else {
            throw Problem(status: .notFound, detail: "deleted meanwhile by another request")
        }
        return try StatuspageV1API.json(v1.shapes(state).v1Maintenance(window), status: .created)
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        let shapes = v1.shapes(state)
        let history = v1.api.history
        if let id = StatuspageV1API.pathID(context, "incident_id", as: IncidentID.self),
            let found = try await history.incident(id, in: state)
        {
            return try StatuspageV1API.json(shapes.v1Incident(found))
        }
        if let id = StatuspageV1API.pathID(context, "incident_id", as: MaintenanceID.self),
            let found = try await history.maintenance(id, in: state)
        {
            return try StatuspageV1API.json(shapes.v1Maintenance(found))
        }
        throw StatuspageV1API.notFound("incident", context, "incident_id")
    }

    /// PATCH and PUT. An incident: `name` and `impact_override` edit it; `status`, `body` or its
    /// components append an update. A window: `status` moves it (with `body` as the update's text),
    /// a `body` alone becomes its description, and its schedule and components are edited while it
    /// is still scheduled.
    @Sendable package func update(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .editPage)
        if let id = StatuspageV1API.pathID(context, "incident_id", as: MaintenanceID.self),
            current.maintenance[id] != nil
        {
            let input = try V1IncidentInput(try await V1Body.read(request).fields("incident"))
            return try await update(window: id, input, as: caller)
        }
        guard let id = StatuspageV1API.pathID(context, "incident_id", as: IncidentID.self), current.incidents[id] != nil
        else { throw StatuspageV1API.notFound("incident", context, "incident_id") }
        let input = try V1IncidentInput(try await V1Body.read(request).fields("incident"))
        if input.maintenanceStatus != nil {
            throw Problem(
                status: .unprocessableContent,
                detail:
                    "\(input.fields.field("status")) of an incident is one of investigating, identified, monitoring, resolved, postmortem",
                field: input.fields.field("status"))
        }
        var state = current
        if input.name != nil || input.impact != nil {
            state = try await v1.run(.editIncident(id, name: input.name, impact: input.impact), as: caller).state
        }
        if input.status != nil || input.body != nil || input.affected != nil {
            let body =
                input.body
                ?? (input.status == nil
                    ? "The affected components have changed." : (input.status?.defaultUpdateBody ?? ""))
            state = try await v1.run(
                .postIncidentUpdate(
                    id, status: input.status, body: body, affected: input.affected, notify: input.notify),
                as: caller
            ).state
        }
        guard let incident = state.incidents[id] else {
            throw StatuspageV1API.notFound("incident", context, "incident_id")
        }
        return try StatuspageV1API.json(v1.shapes(state).v1Incident(incident))
    }

    private func update(window id: MaintenanceID, _ input: V1IncidentInput, as caller: Caller) async throws -> Response
    {
        if input.status != nil {
            throw Problem(
                status: .unprocessableContent,
                detail:
                    "\(input.fields.field("status")) of scheduled maintenance is one of scheduled, in_progress, verifying, completed",
                field: input.fields.field("status"))
        }
        var state = caller.organization.view.state
        let patch = MaintenancePatch(
            name: input.name, description: input.maintenanceStatus == nil ? input.body : nil,
            scheduledStart: input.scheduledFor, scheduledEnd: input.scheduledUntil, affected: input.serviceIDs,
            autoStart: input.autoStart, autoComplete: input.autoComplete)
        if patch.name != nil || patch.description != nil || patch.scheduledStart != nil || patch.scheduledEnd != nil
            || patch.affected != nil || patch.autoStart != nil || patch.autoComplete != nil
        {
            state = try await v1.run(.editMaintenance(id, patch), as: caller).state
        }
        if let status = input.maintenanceStatus, status != state.maintenance[id]?.status {
            state = try await v1.run(
                .setMaintenanceStatus(id, status, body: input.body, notify: input.notify), as: caller
            ).state
        }
        guard let window = state.maintenance[id] else {
            throw Problem(status: .notFound, detail: "no incident '\(id)'")
        }
        return try StatuspageV1API.json(v1.shapes(state).v1Maintenance(window))
    }

    /// `PATCH .../incident_updates/{id}` with `{"incident_update": {"body": ...}}`: corrects an update's
    /// text, on an incident or a window. `display_at`, `deliver_notifications` and `wants_twitter_update`
    /// are accepted and not kept: an update keeps the time it was posted. Answers the update.
    @Sendable package func editUpdate(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .editPage)
        guard let update = StatuspageV1API.pathID(context, "incident_update_id", as: UpdateID.self) else {
            throw StatuspageV1API.notFound("incident update", context, "incident_update_id")
        }
        let window = StatuspageV1API.pathID(context, "incident_id", as: MaintenanceID.self).flatMap {
            current.maintenance[$0]
        }
        let incident = StatuspageV1API.pathID(context, "incident_id", as: IncidentID.self).flatMap {
            current.incidents[$0]
        }
        let command: (String) -> OrgCommand
        if let window {
            command = { .editMaintenanceUpdate(window.id, update, body: $0) }
        } else if let incident {
            command = { .editIncidentUpdate(incident.id, update, body: $0) }
        } else {
            throw StatuspageV1API.notFound("incident", context, "incident_id")
        }
        let fields = try await V1Body.read(request).fields("incident_update")
        guard let body = try fields.text("body") else { throw fields.required("body") }
        let state = try await v1.run(command(body), as: caller).state
        let shapes = v1.shapes(state)
        let shape =
            window.flatMap { state.maintenance[$0.id] }.map(shapes.v1Maintenance)
            ?? incident.flatMap { state.incidents[$0.id] }.map(shapes.v1Incident) ?? .null
        guard case .array(let updates) = shape.members["incident_updates"],
            let edited = updates.first(where: { $0.members["id"] == .string(update.rawValue) })
        else { throw StatuspageV1API.notFound("incident update", context, "incident_update_id") }
        return try StatuspageV1API.json(edited)
    }

    /// Statuspage answers a deleted incident with the incident as it was.
    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .editPage)
        let shapes = v1.shapes(current)
        if let id = StatuspageV1API.pathID(context, "incident_id", as: MaintenanceID.self),
            let window = current.maintenance[id]
        {
            _ = try await v1.run(.deleteMaintenance(id), as: caller)
            return try StatuspageV1API.json(shapes.v1Maintenance(window))
        }
        guard let id = StatuspageV1API.pathID(context, "incident_id", as: IncidentID.self),
            let incident = current.incidents[id]
        else { throw StatuspageV1API.notFound("incident", context, "incident_id") }
        _ = try await v1.run(.deleteIncident(id), as: caller)
        return try StatuspageV1API.json(shapes.v1Incident(incident))
    }

    package init(v1: StatuspageV1API) {
        self.v1 = v1
    }
}
