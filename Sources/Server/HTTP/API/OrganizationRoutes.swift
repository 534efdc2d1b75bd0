import Auth
package import Engine
package import Foundation
import HashTreeCollections
package import Hummingbird
import Live
import Persistence
import Wire

/// `/api/organizations`: mine, create (the caller becomes owner in the same event), current, update,
/// delete (owner), export, check-user.
package struct OrganizationRoutes: Sendable {
    package let api: ResourceAPI

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/organizations", use: list)
        router.post("/api/organizations", use: create)
        router.get("/api/organizations/current", use: current)
        router.get("/api/organizations/check-user/:user_id", use: checkUser)
        router.put("/api/organizations/:id", use: update)
        router.delete("/api/organizations/:id", use: delete)
        router.get("/api/organizations/:id/export", use: export)
    }

    package struct OrganizationBody: Encodable {
        package let id: OrgID
        package let slug: String
        package let name: String
        package let timeZone: String
        package let logoURL: String?
        package let accentColor: String?
        package let customDomain: String?
        package let createdAt: Date
        package let updatedAt: Date
        /// The caller's role here, when the caller is a member.
        package let role: Role?

        package init(_ state: OrgState, role: Role?) {
            id = state.id
            slug = state.settings.slug
            name = state.settings.name
            timeZone = state.settings.timeZone
            logoURL = state.settings.branding.logoURL
            accentColor = state.settings.branding.accentColor
            customDomain = state.settings.customDomain
            createdAt = state.createdAt
            updatedAt = state.updatedAt
            self.role = role
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(id, forKey: InputKey("id"))
            try container.encode(slug, forKey: InputKey("slug"))
            try container.encode(name, forKey: InputKey("name"))
            try container.encode(timeZone, forKey: InputKey("time_zone"))
            try container.encode(logoURL, forKey: InputKey("logo_url"))
            try container.encode(accentColor, forKey: InputKey("accent_color"))
            try container.encode(customDomain, forKey: InputKey("custom_domain"))
            try container.encode(createdAt, forKey: InputKey("created_at"))
            try container.encode(updatedAt, forKey: InputKey("updated_at"))
            try container.encode(role, forKey: InputKey("role"))
        }
    }

    package struct OrganizationInput: Decodable {
        package var patch = OrgPatch()

        package init(from decoder: any Decoder) throws {
            let input = try decoder.container(keyedBy: InputKey.self)
            patch.slug = try input.value(String.self, "slug")
            patch.name = try input.value(String.self, "name", "title")
            patch.timeZone = try input.value(String.self, "time_zone", "timezone")
            if input.has("logo_url") { patch.logoURL = .some(try input.value(String.self, "logo_url")) }
            if input.has("accent_color") { patch.accentColor = .some(try input.value(String.self, "accent_color")) }
            if input.has("custom_domain") { patch.customDomain = .some(try input.value(String.self, "custom_domain")) }
        }
    }

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let organizations: [OrganizationBody]
        switch try await api.authenticator.identity(for: request) {
        case .apiKey(let key, let organization):
            let state = organization.view.state
            organizations = [OrganizationBody(state, role: state.role(of: .apiKey(key)))]
        case .account(let account, _), .federated(let account, _, _):
            organizations = api.registry.organizations(member: account.id).map {
                let state = $0.view.state
                return OrganizationBody(state, role: state.member(for: account.id)?.role)
            }
        }
        return try ResourceAPI.json(Representation.ListBody(items: organizations, nextCursor: nil))
    }

    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (account, _) = try await api.authenticator.person(for: request)
        let input = try await JSONBody.decode(OrganizationInput.self, from: request)
        try api.checkDomain(input.patch)
        guard let slug = input.patch.slug else {
            throw Problem(status: .unprocessableContent, detail: "slug is required", field: "slug")
        }
        guard let name = input.patch.name else {
            throw Problem(status: .unprocessableContent, detail: "name is required", field: "name")
        }
        let commit = try await api.registry.createOrganization(
            slug: slug, name: name, timeZone: input.patch.timeZone ?? "UTC", owner: account.id)
        guard case .organizationCreated(let id, _, _) = commit.events.first?.change,
            let organization = api.registry.organization(id: id)
        else { throw Problem(status: .internalServerError, detail: "no organization was created") }
        var patch = input.patch
        (patch.slug, patch.name, patch.timeZone) = (nil, nil, nil)
        if patch.logoURL != nil || patch.accentColor != nil || patch.customDomain != nil {
            _ = try await api.registry.submit(.updateOrganization(patch), to: organization, by: .account(account.id))
        }
        return try ResourceAPI.json(
            OrganizationBody(organization.view.state, role: .owner), status: .created,
            location: "/api/organizations/\(id)")
    }

    @Sendable package func current(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, state) = try await api.authorize(request, for: .readOrganization)
        return try ResourceAPI.json(OrganizationBody(state, role: state.role(of: caller.principal)))
    }

    @Sendable package func update(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await pathOrganization(request, context, for: .editSettings)
        let input = try await JSONBody.decode(OrganizationInput.self, from: request)
        try api.checkDomain(input.patch)
        let (_, state) = try await api.run(.updateOrganization(input.patch), as: caller)
        return try ResourceAPI.json(OrganizationBody(state, role: state.role(of: caller.principal)))
    }

    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await pathOrganization(request, context, for: .deleteOrganization)
        _ = try await api.run(.deleteOrganization, as: caller)
        return ResourceAPI.noContent()
    }

    /// Everything the organization owns, as one JSON document (secrets and token hashes left out).
    @Sendable package func export(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await pathOrganization(request, context, for: .exportOrganization)
        let (incidents, windows) = try await api.history.everything(in: state)
        return try ResourceAPI.json(OrganizationExport(state, incidents: incidents, maintenance: windows))
    }

    /// Whether an account is a member: for oneself, or for admins of an organization it belongs to.
    @Sendable package func checkUser(request: Request, context: StatusdRequestContext) async throws -> Response {
        let text = context.parameters.get("user_id") ?? ""
        guard let user = AccountID(text) else { throw ResourceAPI.notFound("user", text) }
        struct Answer: Encodable {
            let userID: AccountID
            let organizations: [OrganizationBody]
        }
        if let account = try await api.authenticator.identity(for: request).person, account.id == user {
            let memberships = api.registry.organizations(member: user).map {
                OrganizationBody($0.view.state, role: $0.view.state.member(for: user)?.role)
            }
            return try ResourceAPI.json(Answer(userID: user, organizations: memberships))
        }
        let (_, state) = try await api.authorize(request, for: .runTeam)
        guard let member = state.member(for: user) else { throw ResourceAPI.notFound("user", text) }
        return try ResourceAPI.json(Answer(userID: user, organizations: [OrganizationBody(state, role: member.role)]))
    }

    /// The organization the path names, for a caller who may do `access` in it; any other answers 404.
    private func pathOrganization(_ request: Request, _ context: StatusdRequestContext, for access: OrgAccess)
        async throws
        -> (Caller, OrgState)
    {
        let text = context.parameters.get("id") ?? ""
        let caller = try await api.authenticator.caller(for: request, naming: text)
        return try api.authorize(caller, for: access)
    }

    package init(api: ResourceAPI) {
        self.api = api
    }
}
