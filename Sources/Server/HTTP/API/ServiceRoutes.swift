import Engine
import HashTreeCollections
package import Hummingbird
import Live
import Wire

/// `/api/services`: list, create, read, update, delete, and set a service's status.
package struct ServiceRoutes: Sendable {
    package let api: ResourceAPI

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/services", use: list)
        router.post("/api/services", use: create)
        router.get("/api/services/:id", use: read)
        router.put("/api/services/:id", use: update)
        router.delete("/api/services/:id", use: delete)
        router.put("/api/services/:id/status", use: setStatus)
    }

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readPage)
        let (items, next) = try ResourceAPI.page(state.orderedServices, request)
        return try ResourceAPI.json(
            Representation.ListBody(items: items.map(Representation.ServiceBody.init), nextCursor: next))
    }

    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .editPage)
        let input = try await JSONBody.decode(ServiceInput.self, from: request)
        guard let name = input.name else {
            throw Problem(status: .unprocessableContent, detail: "name is required", field: "name")
        }
        let command = OrgCommand.createService(
            name: name, description: input.description ?? "", status: input.status ?? .operational,
            groupID: input.groupID ?? nil, position: input.position)
        let (commit, state) = try await api.run(command, as: caller)
        let id = try ResourceAPI.created(commit) {
            if case .serviceCreated(let service) = $0 { service.id } else { nil }
        }
        return try ResourceAPI.json(
            Representation.ServiceBody(try service(id, in: state)), status: .created, location: "/api/services/\(id)")
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readPage)
        return try ResourceAPI.json(Representation.ServiceBody(try service(try Self.id(context), in: state)))
    }

    @Sendable package func update(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .editPage)
        let id = try service(try Self.id(context), in: current).id
        let input = try await JSONBody.decode(ServiceInput.self, from: request)
        let patch = ServicePatch(
            name: input.name, description: input.description, groupID: input.groupID, position: input.position)
        var (_, state) = try await api.run(.updateService(id, patch), as: caller)
        if let status = input.status {
            state = try await api.run(.setServiceStatus(id, status), as: caller).state
        }
        return try ResourceAPI.json(Representation.ServiceBody(try service(id, in: state)))
    }

    @Sendable package func setStatus(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .editPage)
        let id = try service(try Self.id(context), in: current).id
        let input = try await JSONBody.decode(ServiceStatusInput.self, from: request)
        let (_, state) = try await api.run(.setServiceStatus(id, input.status), as: caller)
        return try ResourceAPI.json(Representation.ServiceBody(try service(id, in: state)))
    }

    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .editPage)
        _ = try await api.run(.deleteService(try Self.id(context)), as: caller)
        return ResourceAPI.noContent()
    }

    private static func id(_ context: StatusdRequestContext) throws -> ServiceID {
        try ResourceAPI.pathID(context, "service", as: ServiceID.self)
    }

    private func service(_ id: ServiceID, in state: OrgState) throws -> Service {
        guard let service = state.services[id] else { throw ResourceAPI.notFound("service", id.rawValue) }
        return service
    }

    package init(api: ResourceAPI) {
        self.api = api
    }
}
