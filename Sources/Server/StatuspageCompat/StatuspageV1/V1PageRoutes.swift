import Auth
import Engine
import Foundation
package import HTTP
package import Hummingbird
import Wire

/// `/v1/pages`: a Statuspage page is an organization. PATCH/PUT take `name`, `time_zone`, `subdomain`
/// (our slug) and `domain` (the custom domain, empty to remove it); the members statusd has no
/// notion of (subscriber switches, CSS, logos) are accepted and not kept.
package struct V1PageRoutes: Sendable {
    package let v1: StatuspageV1API

    package func add(to router: RouterGroup<StatusdRequestContext>) {
        router.get("/pages", use: list)
        router.get("/pages/:page_id", use: read)
        router.patch("/pages/:page_id", use: update)
        router.put("/pages/:page_id", use: update)
    }

    /// The pages the credential may read: an API key's organization, or a person's memberships.
    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let identity = try await v1.api.authenticator.identity(token: try StatuspageV1API.token(request))
        let organizations: [OrgActor]
        switch identity {
        case .apiKey(_, let organization): organizations = [organization]
        case .account(let account, _), .federated(let account, _, _):
            organizations = v1.api.registry.organizations(member: account.id)
        }
        return try StatuspageV1API.json(.array(organizations.map { v1.shapes($0.view.state).v1Page }))
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, role: .viewer)
        return try StatuspageV1API.json(v1.shapes(state).v1Page)
    }

    @Sendable package func update(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await v1.authorize(request, context, role: .admin)
        let fields = try await V1Body.read(request).fields("page")
        var patch = OrgPatch(
            slug: try fields.text("subdomain"), name: try fields.text("name"), timeZone: try fields.text("time_zone"))
        if fields.has("domain") { patch.customDomain = .some(try fields.text("domain")) }
        try v1.api.checkDomain(patch)
        let (_, state) = try await v1.run(.updateOrganization(patch), as: caller)
        return try StatuspageV1API.json(v1.shapes(state).v1Page)
    }

    package init(v1: StatuspageV1API) {
        self.v1 = v1
    }
}
