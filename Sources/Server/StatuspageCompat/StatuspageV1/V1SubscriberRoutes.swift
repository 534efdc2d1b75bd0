import Auth
package import Engine
import Foundation
package import HTTP
import HashTreeCollections
package import Hummingbird
import Wire

/// `/v1/pages/{page_id}/subscribers` and `/v1/pages/{page_id}/incidents/{incident_id}/subscribers`:
/// Statuspage's subscriber routes on the subscribers of docs/SUBSCRIBERS.md. The page's routes hold
/// the subscribers of the whole page, an incident's those following that incident only. As in our own
/// API, admins and owners see addresses and editors only the counts.
///
/// statusd forgets an address that unsubscribes, so `unsubscribed` is always an empty list, and it sends
/// no goodbye mail (`skip_unsubscription_notification` is accepted and changes nothing).
package struct V1SubscriberRoutes: Sendable {
    package let v1: StatuspageV1API
    /// Channels this process can deliver on (email only with `--smtp-url`).
    package let deliverable: Set<SubscriberChannel>

    /// At most this many subscribers named in one bulk request (Statuspage's limit).
    package static let bulkMax = 100

    package func add(to router: V1Router) {
        let page = "/pages/:page_id/subscribers"
        router.get(RouterPath(page), use: list)
        router.post(RouterPath(page), use: create)
        router.get(RouterPath(page + "/count"), use: count)
        router.get(RouterPath(page + "/histogram_by_state"), use: histogram)
        router.get(RouterPath(page + "/unsubscribed"), use: unsubscribed)
        router.post(RouterPath(page + "/reactivate"), use: reactivateMany)
        router.post(RouterPath(page + "/unsubscribe"), use: unsubscribeMany)
        router.post(RouterPath(page + "/resend_confirmation"), use: resendMany)
        router.get(RouterPath(page + "/:subscriber_id"), use: read)
        router.patch(RouterPath(page + "/:subscriber_id"), use: update)
        router.delete(RouterPath(page + "/:subscriber_id"), use: delete)
        router.post(RouterPath(page + "/:subscriber_id/resend_confirmation"), use: resend)
        let incident = "/pages/:page_id/incidents/:incident_id/subscribers"
        router.get(RouterPath(incident), use: list)
        router.post(RouterPath(incident), use: create)
        router.get(RouterPath(incident + "/:subscriber_id"), use: read)
        router.delete(RouterPath(incident + "/:subscriber_id"), use: delete)
        router.post(RouterPath(incident + "/:subscriber_id/resend_confirmation"), use: resend)
    }

    // MARK: Reads

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readSubscribers)
        let incident = try followed(context, in: state)
        let query = try V1SubscriberQuery(request)
        let chosen = try query.select(state.subscribers.values.lazy.filter { $0.incident == incident })
        let shapes = v1.shapes(state)
        return try StatuspageV1API.json(.array(chosen.map(shapes.v1Subscriber)))
    }

    @Sendable package func count(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .countSubscribers)
        let query = request.uri.queryParameters
        let type = try query.get("type").flatMap { $0.isEmpty ? nil : $0 }.map { text in
            guard let channel = SubscriberChannel(rawValue: text) else {
                throw Problem(
                    status: .unprocessableContent, detail: "type is not \(choices(SubscriberChannel.self))",
                    field: "type")
            }
            return channel
        }
        return try StatuspageV1API.json(
            v1.shapes(state).v1SubscriberCount(states: try V1SubscriberQuery.states(query.get("state")), type: type))
    }

    @Sendable package func histogram(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .countSubscribers)
        return try StatuspageV1API.json(v1.shapes(state).v1SubscriberHistogram)
    }

    /// Always empty: an address that unsubscribes is forgotten (docs/SUBSCRIBERS.md).
    @Sendable package func unsubscribed(request: Request, context: StatusdRequestContext) async throws -> Response {
        _ = try await v1.authorize(request, context, for: .readSubscribers)
        _ = try V1SubscriberQuery(request)  // a malformed query is still told
        return try StatuspageV1API.json(.array([]))
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readSubscribers)
        return try StatuspageV1API.json(v1.shapes(state).v1Subscriber(try subscriber(context, in: state)))
    }

    // MARK: Writes

    /// `{"subscriber": {"email": …}}`, `{"endpoint": …, "email": <contact>}` (a webhook, or the chat
    /// channel `mode` names), or `{"phone_number": …}`; `component_ids`; `skip_confirmation_notification`
    /// makes an email subscriber active at once instead of mailing it a confirmation link.
    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .manageSubscribers)
        let incident = try followed(context, in: current)
        let fields = try await V1Body.read(request).fields("subscriber")
        let draft = try Self.draft(fields, incident: incident)
        try SubscriberRoutes.refuseUndeliverable(
            draft.channel, deliverable, field: fields.field(draft.channel == .email ? "email" : "phone_number"))
        let (commit, state) = try await v1.run(.addSubscriber(draft), as: caller)
        let id = try ResourceAPI.created(commit) {
            if case .subscriberAdded(let subscriber) = $0 { subscriber.id } else { nil }
        }
        guard let subscriber = state.subscribers[id] else { throw Self.noSubscriber(id.rawValue) }
        return try StatuspageV1API.json(v1.shapes(state).v1Subscriber(subscriber), status: .created)
    }

    private static func draft(_ fields: V1Fields, incident: IncidentID?) throws -> SubscriberDraft {
        let components = try Self.componentIDs(fields) ?? []
        let skip = try fields.bool("skip_confirmation_notification") ?? false
        if let endpoint = try fields.text("endpoint") {
            let mode =
                try fields.choice("mode", "webhook, slack, teams or discord") { text in
                    SubscriberChannel(rawValue: text).flatMap { $0.postsToURL ? $0 : nil }
                } ?? .webhook
            return SubscriberDraft(
                channel: mode, address: endpoint, contactEmail: try fields.text("email"), components: components,
                incident: incident, confirmed: true)
        }
        if let email = try fields.text("email") {
            return SubscriberDraft(
                channel: .email, address: email, components: components, incident: incident, confirmed: skip)
        }
        if let phone = try fields.text("phone_number") {
            return SubscriberDraft(
                channel: .sms, address: phone, components: components, incident: incident, confirmed: skip)
        }
        throw Problem(
            status: .unprocessableContent,
            detail:
                "\(fields.field("email")), \(fields.field("endpoint")) or \(fields.field("phone_number")) is needed",
            field: fields.field("email"))
    }

    /// `component_ids`, each a service id; nil when absent.
    private static func componentIDs(_ fields: V1Fields) throws -> [ServiceID]? {
        try fields.strings("component_ids")?.map { text in
            guard let id = ServiceID(text) else { throw fields.invalid("component_ids", "a list of component ids") }
            return id
        }
    }

    /// PATCH `{"component_ids": […]}`: the components the subscriber follows (none: every one).
    @Sendable package func update(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .manageSubscribers)
        let id = try subscriber(context, in: current).id
        let fields = try await V1Body.read(request).fields("subscriber")
        guard let components = try Self.componentIDs(fields) else { throw fields.required("component_ids") }
        let (_, state) = try await v1.run(.setSubscriberComponents(id, components), as: caller)
        guard let updated = state.subscribers[id] else { throw Self.noSubscriber(id.rawValue) }
        return try StatuspageV1API.json(v1.shapes(state).v1Subscriber(updated))
    }

    /// Unsubscribes; the answer is the subscriber as it was (Statuspage's).
    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .manageSubscribers)
        let gone = try subscriber(context, in: current)
        _ = try await v1.run(.removeSubscribers([gone.id]), as: caller)
        return try StatuspageV1API.json(v1.shapes(current).v1Subscriber(gone))
    }

    /// Mails the confirmation link again (an unconfirmed email subscriber only; else 422).
    @Sendable package func resend(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .manageSubscribers)
        let target = try subscriber(context, in: current)
        _ = try await v1.run(.resendConfirmations([target.id]), as: caller)
        return try StatuspageV1API.json(v1.shapes(current).v1Subscriber(target), status: .accepted)
    }

    // MARK: Bulk

    /// `{"subscribers": ["sub_…", …] | "all", "type": …}`: the quarantined ones become active.
    @Sendable package func reactivateMany(request: Request, context: StatusdRequestContext) async throws -> Response {
        try await bulk(request, context, states: [.quarantined]) { .reactivateSubscribers($0) }
    }

    /// `{"subscribers": …, "type": …, "state": … (default active; all)}`: forgotten.
    @Sendable package func unsubscribeMany(request: Request, context: StatusdRequestContext) async throws -> Response {
        try await bulk(request, context, states: nil) { .removeSubscribers($0) }
    }

    /// `{"subscribers": …}`: the unconfirmed email subscribers among them are mailed their link again.
    @Sendable package func resendMany(request: Request, context: StatusdRequestContext) async throws -> Response {
        try await bulk(request, context, states: [.unconfirmed], channel: .email) { .resendConfirmations($0) }
    }

    /// A bulk request: the page subscribers it names (or `all`), of its `type`, in `states` (nil: the
    /// request's `state`, default active), at most `bulkMax`, acted on in one command. The answer
    /// (202) lists the ids acted on.
    private func bulk(
        _ request: Request, _ context: StatusdRequestContext, states: Set<SubscriberState>?,
        channel: SubscriberChannel? = nil, command: ([SubscriberID]) -> OrgCommand
    ) async throws -> Response {
        let (caller, current) = try await v1.authorize(request, context, for: .manageSubscribers)
        let fields = try await V1Body.read(request).topLevel
        let wanted = try states ?? V1SubscriberQuery.states(try fields.text("state"))
        let type =
            try fields.choice("type", choices(SubscriberChannel.self)) { SubscriberChannel(rawValue: $0) } ?? channel
        let named: [Subscriber]
        switch try fields.strings("subscribers") {
        case nil, []?:
            throw fields.required("subscribers")
        case ["all"]?:
            named = current.subscribers.values.filter { $0.incident == nil }.sorted { $0.id < $1.id }
        case let ids?:
            guard ids.count <= Self.bulkMax else {
                throw fields.invalid("subscribers", "at most \(Self.bulkMax) subscriber ids, or all")
            }
            named = try ids.map { text in
                guard let id = SubscriberID(text), let found = current.subscribers[id], found.incident == nil else {
                    throw Self.noSubscriber(text)
                }
                return found
            }
        }
        let chosen = named.filter { wanted.contains($0.state) && (type == nil || $0.channel == type) }
        guard chosen.count <= Self.bulkMax else {
            throw fields.invalid(
                "subscribers", "all is \(chosen.count) subscribers: name at most \(Self.bulkMax) at a time")
        }
        if !chosen.isEmpty { _ = try await v1.run(command(chosen.map(\.id)), as: caller) }
        return try StatuspageV1API.json(
            ["subscribers": .array(chosen.map { .string($0.id.rawValue) })], status: .accepted)
    }

    // MARK: Look-ups

    /// The incident `{incident_id}` names (its subscribers' routes), or nil on the page's routes. Only
    /// an incident in memory takes subscribers (an archived one is long resolved).
    private func followed(_ context: StatusdRequestContext, in state: OrgState) throws -> IncidentID? {
        guard context.parameters.get("incident_id") != nil else { return nil }
        guard let id = StatuspageV1API.pathID(context, "incident_id", as: IncidentID.self), state.incidents[id] != nil
        else { throw StatuspageV1API.notFound("incident", context, "incident_id") }
        return id
    }

    /// The subscriber `{subscriber_id}` names among the route's own (the page's, or the incident's).
    private func subscriber(_ context: StatusdRequestContext, in state: OrgState) throws -> Subscriber {
        let incident = try followed(context, in: state)
        guard let id = StatuspageV1API.pathID(context, "subscriber_id", as: SubscriberID.self),
            let found = state.subscribers[id], found.incident == incident
        else { throw StatuspageV1API.notFound("subscriber", context, "subscriber_id") }
        return found
    }

    private static func noSubscriber(_ text: String) -> Problem {
        Problem(status: .notFound, detail: "no subscriber '\(text.prefix(64))'", field: "subscribers")
    }

    package init(v1: StatuspageV1API, deliverable: Set<SubscriberChannel>) {
        self.v1 = v1
        self.deliverable = deliverable
    }
}
