package import Auth
package import Engine
import Foundation
import HTTPTypes
package import Hummingbird
package import Mustache
import NIOCore
import Wire

/// Subscribing by email from the public page: the form under "Subscribe to updates"
/// (`POST /status/{slug}/subscribe`, works without JavaScript, answers a page) and the same for
/// programs (`POST /api/status/{slug}/subscriptions`, JSON in and out).
///
/// Double opt-in: a new address is added unconfirmed and mailed a confirmation link; nothing else
/// reaches it before the link's button is pressed. An address already subscribed changes nothing and
/// is mailed its confirmation link again, or a manage link. The answer is the same 202 in every case,
/// so the form tells nobody whether an address is subscribed. `SubscribeThrottle` bounds the mails a
/// client, an address or a page can cause.
package struct PublicSubscribeRoutes: Sendable {
    let registry: Registry
    let library: MustacheLibrary
    let throttle: SubscribeThrottle
    /// Whether this process can send mail (`--smtp-url`).
    let mailAvailable: Bool

    package init(registry: Registry, library: MustacheLibrary, throttle: SubscribeThrottle, mailAvailable: Bool) {
        self.registry = registry
        self.library = library
        self.throttle = throttle
        self.mailAvailable = mailAvailable
    }

    package func add(to router: Router<StatusdRequestContext>) {
        router.post("/status/:slug/subscribe", use: subscribeByForm)
        router.post("/api/status/:slug/subscriptions", use: subscribeByJSON)
    }

    /// What the form and the API send.
    struct Input: Decodable {
        let email: String
        let components: [ServiceID]?
        let incidentID: IncidentID?

        enum CodingKeys: String, CodingKey {
            case email, components
            case incidentID = "incident_id"
        }
    }

    /// The same words for a new address, a known one and one that cannot receive mail.
    static let accepted =
        "If this address can receive mail, a link to confirm the subscription is on its way. Nothing else is sent before it is followed."

    @Sendable package func subscribeByJSON(request: Request, context: StatusdRequestContext) async throws -> Response {
        let input = try await JSONBody.decode(Input.self, from: request)
        try await subscribe(input, request: request, context: context)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        let body = try JSONEncoder().encode(["status": "pending", "detail": Self.accepted])
        return Response(status: .accepted, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    @Sendable package func subscribeByForm(request: Request, context: StatusdRequestContext) async throws -> Response {
        let state = registry.organization(slug: context.parameters.get("slug") ?? "")?.view.state
        do {
            let buffer = try await request.body.collect(upTo: 16 * 1_024)
            let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
            let input: Input
            do {
                input = try URLEncodedFormDecoder().decode(Input.self, from: text)
            } catch {
                throw Problem(status: .badRequest, detail: "The form needs an email address.", field: "email")
            }
            try await subscribe(input, request: request, context: context)
            return page(state, status: .accepted, heading: "Check your inbox", message: Self.accepted)
        } catch let problem as Problem {
            return page(state, status: problem.status, heading: "Not subscribed", message: problem.detail)
        } catch let error as EngineError {
            let problem = Problem(error)
            return page(state, status: problem.status, heading: "Not subscribed", message: problem.detail)
        } catch is NIOTooManyBytesError {
            return page(state, status: .contentTooLarge, heading: "Not subscribed", message: "The form is too large.")
        }
    }

    private func subscribe(_ input: Input, request: Request, context: StatusdRequestContext) async throws {
        guard let actor = registry.organization(slug: context.parameters.get("slug") ?? "") else {
            throw Problem(status: .notFound, detail: "no such status page")
        }
        let settings = actor.view.state.subscriptionSettings
        guard mailAvailable, settings.channels.contains(.email) else {
            throw Problem(status: .notFound, detail: "This page does not take email subscriptions.")
        }
        let email = input.email.trimmingCharacters(in: .whitespaces).lowercased()
        guard email.utf8.count <= 254 else {
            throw Problem(status: .unprocessableContent, detail: "The email address is too long.", field: "email")
        }
        let address = context.clientAddress(of: request) ?? "unknown"
        if let seconds = throttle.admit(email: email, address: address, organization: actor.id.rawValue) {
            throw Problem(
                status: .tooManyRequests, detail: "Too many subscriptions; try again in \(seconds) s.",
                headers: [.retryAfter: String(seconds)])
        }
        let draft = SubscriberDraft(
            channel: .email, address: email, components: input.components ?? [], incident: input.incidentID,
            confirmed: false)
        _ = try await actor.submit(.requestSubscription(draft), by: .system)
    }

    private func page(_ state: OrgState?, status: HTTPResponse.Status, heading: String, message: String) -> Response {
        var model = SubscriptionLinkRoutes.frame(state, title: heading)
        model["heading"] = heading
        model["message"] = message
        return SubscriptionLinkRoutes.page(model, status: status, library: library)
    }
}
