package import Auth
package import Engine
import Foundation
import HTTPTypes
import HashTreeCollections
package import Hummingbird
package import Mustache
import NIOCore
import Wire

/// The pages behind the links in mails and notifications: `/subscriptions/{org}/{subscriber}/{action}?token=`
/// with the actions confirm (double opt-in), manage (choose services, unsubscribe) and unsubscribe.
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
        router.get("/subscriptions/:org/:subscriber/confirm", use: showConfirm)
        router.post("/subscriptions/:org/:subscriber/confirm", use: confirm)
        router.get("/subscriptions/:org/:subscriber/manage", use: showManage)
        router.post("/subscriptions/:org/:subscriber/manage", use: manage)
    }

    @Sendable package func showConfirm(request: Request, context: StatusdRequestContext) async throws -> Response {
        guard let (actor, subscriber, token) = found(request, context, .confirm) else { return gone(nil) }
        let state = actor.view.state
        guard subscriber.state == .unconfirmed else {
            return managePage(state, subscriber, heading: "Already confirmed")
        }
        var model = Self.frame(state, title: "Confirm")
        model["heading"] = "Confirm your subscription to \(state.settings.name)"
        model["message"] = "\(subscriber.address) will be told of incidents and maintenance."
        model["action"] = path(.confirm, subscriber, actor.id, token)
        model["button"] = "Confirm"
        return page(model)
    }

    @Sendable package func confirm(request: Request, context: StatusdRequestContext) async throws -> Response {
        guard let (actor, subscriber, _) = found(request, context, .confirm) else { return gone(nil) }
        guard subscriber.state == .unconfirmed else {
            return managePage(actor.view.state, subscriber, heading: "Already confirmed")
        }
        do {
            _ = try await actor.submit(.confirmSubscriber(subscriber.id), by: .system)
        } catch let error as EngineError where error.code == .notFound {
            return gone(actor.view.state)
        }
        let state = actor.view.state
        return managePage(state, state.subscribers[subscriber.id] ?? subscriber, heading: "You are subscribed")
    }

    @Sendable package func showManage(request: Request, context: StatusdRequestContext) async throws -> Response {
        guard let (actor, subscriber, _) = found(request, context, .manage) else { return gone(nil) }
        return managePage(
            actor.view.state, subscriber, heading: "Your subscription to \(actor.view.state.settings.name)")
    }

    /// Saves the services chosen on the manage page (none ticked: every service).
    @Sendable package func manage(request: Request, context: StatusdRequestContext) async throws -> Response {
        guard let (actor, subscriber, _) = found(request, context, .manage) else { return gone(nil) }
        let buffer = try await request.body.collect(upTo: 64 * 1_024)
        struct Form: Decodable { let components: [ServiceID]? }
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        // No box ticked sends an empty form: every service. A form that cannot be read changes nothing.
        guard
            let form = text.isEmpty ? Form(components: nil) : try? URLEncodedFormDecoder().decode(Form.self, from: text)
        else {
            var model = Self.frame(actor.view.state, title: "Not saved")
            model["heading"] = "Not saved"
            model["message"] = "The form cannot be read."
            return page(model, status: .badRequest)
        }
        do {
            _ = try await actor.submit(.setSubscriberComponents(subscriber.id, form.components ?? []), by: .system)
        } catch let error as EngineError where error.code == .notFound && error.field == "id" {
            return gone(actor.view.state)
        } catch let error as EngineError {
            var model = Self.frame(actor.view.state, title: "Not saved")
            model["heading"] = "Not saved"
            model["message"] = Problem(error).detail
            return page(model, status: Problem(error).status)
        }
        let state = actor.view.state
        return managePage(state, state.subscribers[subscriber.id] ?? subscriber, heading: "Saved")
    }

    /// The manage page: which services the subscriber hears about (when the page lets subscribers
    /// choose), and the unsubscribe button. Reached only with the manage token, which only mails carry.
    private func managePage(_ state: OrgState, _ subscriber: Subscriber, heading: String) -> Response {
        var model = Self.frame(state, title: "Manage your subscription")
        model["heading"] = heading
        model["message"] =
            subscriber.components.isEmpty
            ? "\(Self.describe(subscriber)) hears about every incident and maintenance window."
            : "\(Self.describe(subscriber)) hears about the services ticked below."
        if state.subscriptionSettings.allowComponentSubscribers, !state.services.isEmpty {
            model["components"] = state.services.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) }.map {
                ["id": $0.id.rawValue, "name": $0.name, "checked": subscriber.components.contains($0.id)]
            }
            model["hasComponents"] = true
            model["action"] = path(.manage, subscriber, state.id, links.token(.manage, subscriber.id, org: state.id))
            model["button"] = "Save"
        }
        model["secondaryAction"] = path(
            .unsubscribe, subscriber, state.id, links.token(.unsubscribe, subscriber.id, org: state.id))
        model["secondaryButton"] = "Unsubscribe"
        return page(model)
    }

    private func path(_ purpose: SubscriptionLinks.Purpose, _ subscriber: Subscriber, _ org: OrgID, _ token: String)
        -> String
    {
        "/subscriptions/\(org.rawValue)/\(subscriber.id.rawValue)/\(purpose.rawValue)?token=\(token)"
    }

    @Sendable package func showUnsubscribe(request: Request, context: StatusdRequestContext) async throws -> Response {
        guard let (actor, subscriber, token) = found(request, context, .unsubscribe) else { return gone(nil) }
        let state = actor.view.state
        var model = Self.frame(state, title: "Unsubscribe")
        model["heading"] = "Stop notifications from \(state.settings.name)?"
        model["message"] = "\(Self.describe(subscriber)) will no longer be told of incidents and maintenance."
        model["action"] = path(.unsubscribe, subscriber, actor.id, token)
        model["button"] = "Unsubscribe"
        return page(model)
    }

    @Sendable package func unsubscribe(request: Request, context: StatusdRequestContext) async throws -> Response {
        guard let (actor, subscriber, _) = found(request, context, .unsubscribe) else { return gone(nil) }
        do {
            _ = try await actor.submit(.removeSubscribers([subscriber.id]), by: .system)
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
    static func frame(_ state: OrgState?, title: String) -> [String: Any] {
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
        Self.page(model, status: status, library: library)
    }

    /// A subscription page (`page-subscription.mustache`), never cached: the public form's answers too.
    static func page(_ model: [String: Any], status: HTTPResponse.Status, library: MustacheLibrary) -> Response {
        var headers = StatusPageRoutes.securityHeaders
        headers[.contentType] = StatusPageRoutes.htmlType
        headers[.cacheControl] = "no-store"
        return Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: StatusPageRoutes.render(model, "subscription", library))))
    }
}
