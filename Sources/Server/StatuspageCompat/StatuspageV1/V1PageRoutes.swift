import Auth
import Engine
import Foundation
package import HTTP
package import Hummingbird
import Wire

/// `/v1/pages`: a Statuspage page is an organization. PATCH/PUT take `name`, `time_zone`, `subdomain`
/// (our slug), `domain` (the custom domain, empty to remove it) and the subscriber switches
/// (`allow_email_subscribers`, `allow_sms_subscribers`, `allow_webhook_subscribers`,
/// `allow_incident_subscribers`; `allow_page_subscribers: false` turns every channel off); the members
/// statusd has no notion of (CSS, logos) are accepted and not kept.
package struct V1PageRoutes: Sendable {
    package let v1: StatuspageV1API

    package func add(to router: V1Router) {
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
        let (_, state) = try await v1.authorize(request, context, for: .readOrganization)
        return try StatuspageV1API.json(v1.shapes(state).v1Page)
    }

    @Sendable package func update(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .editSettings)
        let fields = try await V1Body.read(request).fields("page")
        var patch = OrgPatch(
            slug: try fields.text("subdomain"), name: try fields.text("name"), timeZone: try fields.text("time_zone"))
        if fields.has("domain") { patch.customDomain = .some(try fields.text("domain")) }
        try v1.api.checkDomain(patch)
        let subscriptions = try Self.subscriptions(fields, current.subscriptionSettings)
        var state = current
        if patch.slug != nil || patch.name != nil || patch.timeZone != nil || patch.customDomain != nil {
            state = try await v1.run(.updateOrganization(patch), as: caller).state
        }
        if subscriptions != state.subscriptionSettings {
            state = try await v1.run(.updateSubscriptionSettings(subscriptions), as: caller).state
        }
        return try StatuspageV1API.json(v1.shapes(state).v1Page)
    }

    /// The page's subscription settings with the request's `allow_*_subscribers` switches applied.
    private static func subscriptions(_ fields: V1Fields, _ current: SubscriptionSettings) throws
        -> SubscriptionSettings
    {
        var settings = current
        for (name, channel) in [
            ("allow_email_subscribers", SubscriberChannel.email), ("allow_sms_subscribers", .sms),
            ("allow_webhook_subscribers", .webhook),
        ] {
            switch try fields.bool(name) {
            case true?: settings.channels.insert(channel)
            case false?: settings.channels.remove(channel)
            case nil: break
            }
        }
        if try fields.bool("allow_page_subscribers") == false { settings.channels = [] }
        if let incident = try fields.bool("allow_incident_subscribers") { settings.allowIncidentSubscribers = incident }
        return settings
    }

    package init(v1: StatuspageV1API) {
        self.v1 = v1
    }
}
