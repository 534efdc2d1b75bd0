import Auth
import Engine
import Foundation
package import HTTP
import HashTreeCollections
package import Hummingbird
import Wire

/// `/v1/pages/{page_id}/component-groups`: our service groups. The body is
/// `{"description": "...", "component_group": {"name": "...", "components": ["<id>", ...]}}`, with
/// `description` outside the envelope as Statuspage has it (inside is read too). A group is never made
/// or left empty, as Statuspage requires; membership is set by moving the services.
package struct V1GroupRoutes: Sendable {
    package let v1: StatuspageV1API

    package func add(to router: V1Router) {
        router.get("/pages/:page_id/component-groups", use: list)
        router.post("/pages/:page_id/component-groups", use: create)
        router.get("/pages/:page_id/component-groups/:id", use: read)
        router.patch("/pages/:page_id/component-groups/:id", use: update)
        router.put("/pages/:page_id/component-groups/:id", use: update)
        router.delete("/pages/:page_id/component-groups/:id", use: delete)
        router.get("/pages/:page_id/component-groups/:id/uptime", use: uptime)
    }

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        let paging = try V1Paging(request)
        let shapes = v1.shapes(state)
        return try StatuspageV1API.json(.array(paging.slice(state.orderedGroups).map(shapes.v1Group)))
    }

    /// Every member is checked before anything is written, so a wrong id makes nothing.
    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .editPage)
        let body = try await V1Body.read(request)
        let fields = try body.fields("component_group")
        guard let name = try fields.text("name") else { throw fields.required("name") }
        guard let members = try Self.members(fields, in: current), !members.isEmpty else {
            throw fields.required("components")
        }
        let description = try body.topLevel.string("description") ?? fields.string("description") ?? ""
        let (commit, _) = try await v1.run(
            .createGroup(name: name, description: description, position: try fields.integer("position")), as: caller)
        let id = try ResourceAPI.created(commit) { if case .groupCreated(let group) = $0 { group.id } else { nil } }
        let state = try await move(members, into: id, as: caller) ?? caller.organization.view.state
        return try StatuspageV1API.json(v1.shapes(state).v1Group(try group(id, in: state)), status: .created)
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        return try StatuspageV1API.json(v1.shapes(state).v1Group(try group(context, in: state)))
    }

    /// PATCH and PUT: name, description, and `components`, the new member list (services left out of
    /// it leave the group).
    @Sendable package func update(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .editPage)
        let id = try group(context, in: current).id
        let body = try await V1Body.read(request)
        let fields = try body.fields("component_group")
        let members = try Self.members(fields, in: current)
        if let members, members.isEmpty { throw fields.required("components") }
        let top = body.topLevel
        let description = top.has("description") ? try top.string("description") : try fields.string("description")
        let patch = GroupPatch(
            name: try fields.text("name"), description: description, position: try fields.integer("position"))
        var state = current
        if patch.name != nil || patch.description != nil || patch.position != nil {
            state = try await v1.run(.updateGroup(id, patch), as: caller).state
        }
        if let members {
            state = try await move(members, into: id, as: caller) ?? state
            let leaving = state.services.values.filter { $0.groupID == id && !members.contains($0.id) }
            for service in leaving {
                state = try await v1.run(.updateService(service.id, ServicePatch(groupID: .some(nil))), as: caller)
                    .state
            }
        }
        return try StatuspageV1API.json(v1.shapes(state).v1Group(try group(id, in: state)))
    }

    /// Statuspage answers a deleted group with the group as it was; its components stay, ungrouped.
    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .editPage)
        let group = try group(context, in: current)
        let shape = v1.shapes(current).v1Group(group)
        _ = try await v1.run(.deleteGroup(group.id), as: caller)
        return try StatuspageV1API.json(shape)
    }

    @Sendable package func uptime(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        let group = try group(context, in: state)
        let members = v1.shapes(state).members(of: group.id)
        let uptime = try V1Uptime(request, state: state, now: WallClock.now())
        let related = try await v1.related(state, uptime, services: Set(members.map(\.id)))
        return try StatuspageV1API.json(
            uptime.document(id: group.id.rawValue, name: group.name, services: members, related: related))
    }

    /// `components`: service ids, each one of this page's (422 naming the first that is not).
    private static func members(_ fields: V1Fields, in state: OrgState) throws -> [ServiceID]? {
        try fields.strings("components")?.map { text in
            guard let id = ServiceID(text), state.services[id] != nil else {
                throw Problem(
                    status: .unprocessableContent,
                    detail:
                        "\(fields.field("components")) names '\(text.prefix(64))', which is not a component of this page",
                    field: fields.field("components"))
            }
            return id
        }
    }

    /// Moves the services into the group; the state after, or nil when all were in it already.
    private func move(_ services: [ServiceID], into group: GroupID, as caller: Caller) async throws -> OrgState? {
        var state: OrgState?
        for id in services where caller.organization.view.state.services[id]?.groupID != group {
            state = try await v1.run(.updateService(id, ServicePatch(groupID: .some(group))), as: caller).state
        }
        return state
    }

    private func group(_ context: StatusdRequestContext, in state: OrgState) throws -> ServiceGroup {
        guard let id = StatuspageV1API.pathID(context, "id", as: GroupID.self) else {
            throw StatuspageV1API.notFound("component group", context, "id")
        }
        return try group(id, in: state)
    }

    private func group(_ id: GroupID, in state: OrgState) throws -> ServiceGroup {
        guard let group = state.groups[id] else {
            throw Problem(status: .notFound, detail: "no component group '\(id.rawValue)'")
        }
        return group
    }

    package init(v1: StatuspageV1API) {
        self.v1 = v1
    }
}
