package import Engine
import Foundation
package import HTTP
import HashTreeCollections
package import Hummingbird
import Persistence
import Wire

/// `/v1/pages/{page_id}/components`: Statuspage's components are our services (and, listed among
/// them with `group: true`, our groups). `showcase`, `only_show_if_degraded` and `start_date` are
/// accepted and not kept: statusd shows every service, always.
package struct V1ComponentRoutes: Sendable {
    package let v1: StatuspageV1API

    package func add(to router: V1Router) {
        router.get("/pages/:page_id/components", use: list)
        router.post("/pages/:page_id/components", use: create)
        router.get("/pages/:page_id/components/:component_id", use: read)
        router.patch("/pages/:page_id/components/:component_id", use: update)
        router.put("/pages/:page_id/components/:component_id", use: update)
        router.delete("/pages/:page_id/components/:component_id", use: delete)
        router.get("/pages/:page_id/components/:component_id/uptime", use: uptime)
    }

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        let paging = try V1Paging(request)
        return try StatuspageV1API.json(.array(paging.slice(v1.shapes(state).v1Components)))
    }

    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await v1.authorize(request, context, for: .editPage)
        let fields = try await V1Body.read(request).fields("component")
        guard let name = try fields.text("name") else { throw fields.required("name") }
        let command = OrgCommand.createService(
            name: name, description: try fields.string("description") ?? "",
            status: try Self.status(fields) ?? .operational, groupID: try Self.group(fields) ?? nil,
            position: try fields.integer("position"))
        let (commit, state) = try await v1.run(command, as: caller)
        let id = try ResourceAPI.created(commit) {
            if case .serviceCreated(let service) = $0 { service.id } else { nil }
        }
        return try StatuspageV1API.json(v1.shapes(state).v1Component(try service(id, in: state)), status: .created)
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        let shapes = v1.shapes(state)
        if let group = StatuspageV1API.pathID(context, "component_id", as: GroupID.self).flatMap({ state.groups[$0] }) {
            return try StatuspageV1API.json(shapes.v1GroupComponent(group))
        }
        return try StatuspageV1API.json(shapes.v1Component(try service(context, in: state)))
    }

    /// PATCH and PUT: the fields present change; a `status` sets the service's status (a history
    /// entry, as through our own API). A group component takes its name and description.
    @Sendable package func update(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .editPage)
        if let group = StatuspageV1API.pathID(context, "component_id", as: GroupID.self).flatMap({ current.groups[$0] })
        {
            let fields = try await V1Body.read(request).fields("component")
            let patch = GroupPatch(
                name: try fields.text("name"), description: try fields.string("description"),
                position: try fields.integer("position"))
            let (_, state) = try await v1.run(.updateGroup(group.id, patch), as: caller)
            guard let updated = state.groups[group.id] else {
                throw StatuspageV1API.notFound("component", context, "component_id")
            }
            return try StatuspageV1API.json(v1.shapes(state).v1GroupComponent(updated))
        }
        let id = try service(context, in: current).id
        let fields = try await V1Body.read(request).fields("component")
        let status = try Self.status(fields)
        let patch = ServicePatch(
            name: try fields.text("name"), description: try fields.string("description"),
            groupID: try Self.group(fields), position: try fields.integer("position"))
        var state = current
        if patch.name != nil || patch.description != nil || patch.groupID != nil || patch.position != nil {
            state = try await v1.run(.updateService(id, patch), as: caller).state
        }
        if let status, status != state.services[id]?.status {
            state = try await v1.run(.setServiceStatus(id, status), as: caller).state
        }
        return try StatuspageV1API.json(v1.shapes(state).v1Component(try service(id, in: state)))
    }

    /// Statuspage answers a deleted component with 204.
    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .editPage)
        if let group = StatuspageV1API.pathID(context, "component_id", as: GroupID.self).flatMap({ current.groups[$0] })
        {
            _ = try await v1.run(.deleteGroup(group.id), as: caller)
        } else {
            _ = try await v1.run(.deleteService(try service(context, in: current).id), as: caller)
        }
        return ResourceAPI.noContent()
    }

    @Sendable package func uptime(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readPage)
        let service = try service(context, in: state)
        let uptime = try V1Uptime(request, state: state, now: WallClock.now())
        let related = try await v1.related(state, uptime, services: [service.id])
        return try StatuspageV1API.json(
            uptime.document(id: service.id.rawValue, name: service.name, services: [service], related: related))
    }

    package static func status(_ fields: V1Fields) throws -> ServiceStatus? {
        try fields.choice("status", choices(ServiceStatus.self), ServiceStatus.init(input:))
    }

    /// `group_id`: absent leaves it, null or empty takes the service out of its group.
    package static func group(_ fields: V1Fields) throws -> GroupID?? {
        guard fields.has("group_id") else { return nil }
        if fields.isNull("group_id") { return .some(nil) }
        return .some(try fields.choice("group_id", "a component group id (grp_...)", GroupID.init))
    }

    private func service(_ context: StatusdRequestContext, in state: OrgState) throws -> Service {
        guard let id = StatuspageV1API.pathID(context, "component_id", as: ServiceID.self) else {
            throw StatuspageV1API.notFound("component", context, "component_id")
        }
        return try service(id, in: state)
    }

    private func service(_ id: ServiceID, in state: OrgState) throws -> Service {
        guard let service = state.services[id] else {
            throw Problem(status: .notFound, detail: "no component '\(id.rawValue)'")
        }
        return service
    }

    package init(v1: StatuspageV1API) {
        self.v1 = v1
    }
}

extension StatuspageV1API {
    /// The incidents (in memory and archived) that touched `services` during the uptime's range,
    /// newest first, at most 100.
    package func related(_ state: OrgState, _ uptime: V1Uptime, services: Set<ServiceID>) async throws -> [Incident] {
        try await api.history.incidents(in: state, limit: 100) { uptime.touches($0, services) }.items
    }
}
