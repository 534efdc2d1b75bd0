import Engine
import HashTreeCollections
package import Hummingbird
import Live
import Wire

/// `/api/service-groups`: list, create, read, update, delete.
package struct GroupRoutes: Sendable {
    package let api: ResourceAPI

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/service-groups", use: list)
        router.post("/api/service-groups", use: create)
        router.get("/api/service-groups/:id", use: read)
        router.put("/api/service-groups/:id", use: update)
        router.delete("/api/service-groups/:id", use: delete)
    }

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readPage)
        let (items, next) = try ResourceAPI.page(state.orderedGroups, request)
        return try ResourceAPI.json(
            Representation.ListBody(items: items.map { Representation.GroupBody($0, in: state) }, nextCursor: next))
    }

    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .editPage)
        let input = try await JSONBody.decode(GroupInput.self, from: request)
        guard let name = input.name else {
            throw Problem(status: .unprocessableContent, detail: "name is required", field: "name")
        }
        let (commit, state) = try await api.run(
            .createGroup(name: name, description: input.description ?? "", position: input.position), as: caller)
        let id = try ResourceAPI.created(commit) { if case .groupCreated(let group) = $0 { group.id } else { nil } }
        return try ResourceAPI.json(
            Representation.GroupBody(try group(id, in: state), in: state), status: .created,
            location: "/api/service-groups/\(id)")
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readPage)
        return try ResourceAPI.json(Representation.GroupBody(try group(try Self.id(context), in: state), in: state))
    }

    @Sendable package func update(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .editPage)
        let id = try group(try Self.id(context), in: current).id
        let input = try await JSONBody.decode(GroupInput.self, from: request)
        let patch = GroupPatch(name: input.name, description: input.description, position: input.position)
        let (_, state) = try await api.run(.updateGroup(id, patch), as: caller)
        return try ResourceAPI.json(Representation.GroupBody(try group(id, in: state), in: state))
    }

    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .editPage)
        _ = try await api.run(.deleteGroup(try Self.id(context)), as: caller)
        return ResourceAPI.noContent()
    }

    private static func id(_ context: StatusdRequestContext) throws -> GroupID {
        try ResourceAPI.pathID(context, "service group", as: GroupID.self)
    }

    private func group(_ id: GroupID, in state: OrgState) throws -> ServiceGroup {
        guard let group = state.groups[id] else { throw ResourceAPI.notFound("service group", id.rawValue) }
        return group
    }

    package init(api: ResourceAPI) {
        self.api = api
    }
}
