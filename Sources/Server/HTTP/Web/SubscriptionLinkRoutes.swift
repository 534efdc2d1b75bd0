package import Auth
package import Engine
import Foundation
import HTTPTypes
import HashTreeCollections
package import Hummingbird
package import Mustache
import NIOCore
import Wire

/// The pages behind the links in notifications: `/subscriptions/{org}/{subscriber}/{action}?token=`.
/// A GET only shows a page with a button (mail scanners and link previews follow links; they must not
/// unsubscribe anyone); the POST acts. The POST is also RFC 8058's one-click unsubscribe, which mail
/// clients send with the body `List-Unsubscribe=One-Click`. A wrong token, an unknown subscriber or one
/// already gone all get the same 404 page, so a link reveals nothing about other subscribers.
package struct SubscriptionLinkRoutes: Sendable {
    let registry: Registry
    let links: SubscriptionLinks
    let library: MustacheLibrary

    package init(registry: Registry, links: SubscriptionLinks, library: MustacheLibrary) {
        self.registry = registry
        self.links = links
        self.library = library
    }

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/subscriptions/:org/:subscriber/unsubscribe", use: showUnsubscribe)
        router.post("/subscriptions/:org/:subscriber/unsubscribe", use: unsubscribe)
    }

    @Sendable package func showUnsubscribe(request: Request, context: StatusdRequestContext) async throws -> Response {
        guard let (actor, subscriber, token) = found(request, context, .unsubscribe) else { return gone(nil) }
        let state = actor.view.state
        var model = Self.frame(state, title: "Unsubscribe")
        model["heading"] = "Stop notifications from \(state.settings.name)?"
        model["message"] = "\(Self.describe(subscriber)) will no longer be told of incidents and maintenance."
        model["action"] = "/subscriptions/\(actor.id.rawValue)/\(subscriber.id.rawValue)/unsubscribe?token=\(token)"
        model["button"] = "Unsubscribe"
        return page(model)
    }

    @Sendable package func unsubscribe(request: Request, context: StatusdRequestContext) async throws -> Response {
        guard let (actor, subscriber, _) = found(request, context, .unsubscribe) else { return gone(nil) }
        do {
            _ = try await actor.submit(.removeSubscriber(subscriber.id), by: .system)
        } catch let error as EngineError where error.code == .notFound {
            return gone(actor.view.state)  // removed meanwhile, by another click
        }
        let state = actor.view.state
        var model = Self.frame(state, title: "Unsubscribed")
        model["heading"] = "You are unsubscribed"
        model["message"] = "\(Self.describe(subscriber)) will no longer be told of \(state.settings.name)'s incidents."
        return page(model)
    }

    /// The organization, subscriber and token of a link, when the token is this server's for them.
    private func found(_ request: Request, _ context: StatusdRequestContext, _ purpose: SubscriptionLinks.Purpose)
        -> (OrgActor, Subscriber, String)?
    {
        guard let org = context.parameters.get("org").flatMap(OrgID.init),
            let id = context.parameters.get("subscriber").flatMap(SubscriberID.init),
            let token = request.uri.queryParameters.get("token"), token.utf8.count < 100,
            links.verify(token, purpose, id, org: org),
            let actor = registry.organization(id: org), let subscriber = actor.view.state.subscribers[id]
        else { return nil }
        return (actor, subscriber, token)
    }

    /// Who the page is about, without showing a secret URL.
    private static func describe(_ subscriber: Subscriber) -> String {
        switch subscriber.channel {
        case .email: subscriber.address
        case .sms: "This phone number"
        case .webhook, .slack, .teams, .discord:
            "The \(subscriber.channel.rawValue) at \(SubscriberBody.masked(subscriber.address))"
        }
    }

    /// The page's title and the organization it belongs to (its name links to its status page).
    private static func frame(_ state: OrgState?, title: String) -> [String: Any] {
        var model: [String: Any] = ["title": title, "name": state?.settings.name ?? "statusd"]
        if let state { model["slug"] = state.settings.slug }
        return model
    }

    private func gone(_ state: OrgState?) -> Response {
        var model = Self.frame(state, title: "Link not valid")
        model["heading"] = "This link is not valid"
        model["message"] = "The subscription has ended, or the link is incomplete."
        return page(model, status: .notFound)
    }

    private func page(_ model: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var headers = StatusPageRoutes.securityHeaders
        headers[.contentType] = StatusPageRoutes.htmlType
        headers[.cacheControl] = "no-store"
        return Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: StatusPageRoutes.render(model, "subscription", library))))
    }
}
