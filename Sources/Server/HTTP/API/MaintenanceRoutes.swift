import Engine
import Foundation
import HashTreeCollections
package import Hummingbird
import Live
import Persistence
import Wire

/// `/api/maintenance`: list (memory and archive, newest scheduled start first), schedule, read, edit,
/// change status, delete. Windows with `auto_start`/`auto_complete` move by themselves.
package struct MaintenanceRoutes: Sendable {
    package let api: ResourceAPI

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/maintenance", use: list)
        router.post("/api/maintenance", use: create)
        router.get("/api/maintenance/:id", use: read)
        router.put("/api/maintenance/:id", use: edit)
        router.delete("/api/maintenance/:id", use: delete)
        router.put("/api/maintenance/:id/status", use: setStatus)
        router.put("/api/maintenance/:id/updates/:update_id", use: editUpdate)
    }

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readPage)
        let status = try request.uri.queryParameters.get("status").map { text in
            guard let status = MaintenanceStatus(input: text) else {
                throw Problem(
                    status: .unprocessableContent, detail: "status must be \(choices(MaintenanceStatus.self))",
                    field: "status")
            }
            return status
        }
        let limit = try ResourceAPI.limit(request)
        let cursor = try CursorText.cursor(request, of: Maintenance.self)
        let page = try await api.history.maintenance(in: state, after: cursor, limit: limit) {
            status == nil || $0.status == status
        }
        return try ResourceAPI.json(
            Representation.ListBody(
                items: page.items.map { Representation.MaintenanceBody($0) },
                nextCursor: page.next.map(CursorText.format)))
    }

    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .editPage)
        let input = try await JSONBody.decode(MaintenanceInput.self, from: request)
        guard let name = input.name else {
            throw Problem(status: .unprocessableContent, detail: "name is required", field: "name")
        }
        guard let start = input.scheduledStart else {
            throw Problem(
                status: .unprocessableContent, detail: "scheduled_start is required", field: "scheduled_start")
        }
        guard let end = input.scheduledEnd else {
            throw Problem(status: .unprocessableContent, detail: "scheduled_end is required", field: "scheduled_end")
        }
        let details = MaintenanceDetails(
            name: name, description: input.description ?? "", scheduledStart: start, scheduledEnd: end,
            affected: input.affected ?? [], autoStart: input.autoStart ?? true, autoComplete: input.autoComplete ?? true
        )
        let (commit, state) = try await api.run(.scheduleMaintenance(details, notify: input.notify), as: caller)
        let id = try ResourceAPI.created(commit) {
            if case .maintenanceScheduled(let window) = $0 { window.id } else { nil }
        }
        return try ResourceAPI.json(
            Representation.MaintenanceBody(try window(id, in: state)), status: .created,
            location: "/api/maintenance/\(id)")
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readPage)
        let id = try Self.id(context)
        guard let found = try await api.history.maintenance(id, in: state) else {
            throw ResourceAPI.notFound("maintenance window", id.rawValue)
        }
        return try ResourceAPI.json(Representation.MaintenanceBody(found))
    }

    @Sendable package func edit(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .editPage)
        let id = try window(try Self.id(context), in: current).id
        let input = try await JSONBody.decode(MaintenanceInput.self, from: request)
        let patch = MaintenancePatch(
            name: input.name, description: input.description, scheduledStart: input.scheduledStart,
            scheduledEnd: input.scheduledEnd, affected: input.affected, autoStart: input.autoStart,
            autoComplete: input.autoComplete)
        let (_, state) = try await api.run(.editMaintenance(id, patch), as: caller)
        return try ResourceAPI.json(Representation.MaintenanceBody(try window(id, in: state)))
    }

    @Sendable package func setStatus(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .editPage)
        let id = try window(try Self.id(context), in: current).id
        let input = try await JSONBody.decode(MaintenanceStatusInput.self, from: request)
        let (_, state) = try await api.run(
            .setMaintenanceStatus(id, input.status, body: input.body, notify: input.notify), as: caller)
        return try ResourceAPI.json(Representation.MaintenanceBody(try window(id, in: state)))
    }

    /// `PUT /api/maintenance/{id}/updates/{update_id}`: corrects an update's text.
    @Sendable package func editUpdate(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .editPage)
        let id = try window(try Self.id(context), in: current).id
        let update = try ResourceAPI.pathID(context, "update", as: UpdateID.self, parameter: "update_id")
        let input = try await JSONBody.decode(UpdateTextInput.self, from: request)
        let (_, state) = try await api.run(.editMaintenanceUpdate(id, update, body: input.body), as: caller)
        return try ResourceAPI.json(Representation.MaintenanceBody(try window(id, in: state)))
    }

    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .editPage)
        _ = try await api.run(.deleteMaintenance(try Self.id(context)), as: caller)
        return ResourceAPI.noContent()
    }

    private static func id(_ context: StatusdRequestContext) throws -> MaintenanceID {
        try ResourceAPI.pathID(context, "maintenance window", as: MaintenanceID.self)
    }

    private func window(_ id: MaintenanceID, in state: OrgState) throws -> Maintenance {
        guard let window = state.maintenance[id] else { throw ResourceAPI.notFound("maintenance window", id.rawValue) }
        return window
    }

    package init(api: ResourceAPI) {
        self.api = api
    }
}
