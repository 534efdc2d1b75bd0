import Auth
package import Engine
import Foundation
import HashTreeCollections
package import Hummingbird
import NIOCore
import Wire

/// `/api/subscribers` and `/api/subscription-settings`: who is told of incidents and maintenance.
/// Admins and owners see and manage subscribers (addresses are personal data); editors see counts.
/// Email subscribers are refused unless a mail server is configured, SMS ones until statusd has an SMS
/// provider: a subscriber that can never be told is worse than none.
package struct SubscriberRoutes: Sendable {
    package let api: ResourceAPI
    /// Channels this process can deliver on (email only with `--smtp-url`).
    let deliverable: Set<SubscriberChannel>

    package init(api: ResourceAPI, deliverable: Set<SubscriberChannel>) {
        self.api = api
        self.deliverable = deliverable
    }

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/subscribers", use: list)
        router.post("/api/subscribers", use: create)
        router.get("/api/subscribers/counts", use: counts)
        router.get("/api/subscribers/export", use: export)
        router.get("/api/subscribers/:id", use: read)
        router.put("/api/subscribers/:id", use: update)
        router.post("/api/subscribers/:id/reactivate", use: reactivate)
        router.delete("/api/subscribers/:id", use: delete)
        router.get("/api/subscription-settings", use: settings)
        router.put("/api/subscription-settings", use: updateSettings)
    }

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readSubscribers)
        let wantedState = try Self.filter(request, "state", SubscriberState.self)
        let wantedType = try Self.filter(request, "type", SubscriberChannel.self)
        let text = request.uri.queryParameters.get("q").map { $0.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let subscribers = state.subscribers.values.filter {
            (wantedState == nil || $0.state == wantedState) && (wantedType == nil || $0.channel == wantedType)
                && (text.map(Self.shown($0).contains) ?? true)
        }.sorted { $0.id < $1.id }
        let (items, next) = try ResourceAPI.page(subscribers, request)
        return try ResourceAPI.json(Representation.ListBody(items: items.map { SubscriberBody($0) }, nextCursor: next))
    }

    /// Every subscriber as CSV (`SubscriberCSV`), in id order, as a file to save.
    @Sendable package func export(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readSubscribers)
        let bytes = SubscriberCSV.render(state.subscribers.values.sorted { $0.id < $1.id })
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"subscribers-\(state.settings.slug).csv\"",
            ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// What `q` searches: the address as the API shows it (a URL masked, so a search cannot probe a
    /// bearer secret), or a webhook's contact, lowercased.
    private static func shown(_ subscriber: Subscriber) -> String {
        (SubscriberBody.shownAddress(subscriber) + " " + (subscriber.contactEmail ?? "")).lowercased()
    }

    @Sendable package func counts(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .countSubscribers)
        return try ResourceAPI.json(SubscriberCountsBody(state))
    }

    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .manageSubscribers)
        let input = try await JSONBody.decode(SubscriberInput.self, from: request)
        try Self.refuseUndeliverable(input.channel, deliverable, field: "type")
        if input.sign && input.channel != .webhook {
            throw Problem(status: .unprocessableContent, detail: "only webhooks are signed", field: "sign")
        }
        let secret = input.sign ? RandomSecret.bytes(32) : nil
        let draft = SubscriberDraft(
            channel: input.channel, address: input.address, contactEmail: input.contactEmail,
            components: input.components, incident: input.incident,
            confirmed: input.skipConfirmation || input.channel.postsToURL, signingSecret: secret)
        let (commit, state) = try await api.run(.addSubscriber(draft), as: caller)
        if secret != nil { try ResourceAPI.refuseReplay(of: commit, secret: "a signed webhook subscriber") }
        let id = try ResourceAPI.created(commit) {
            if case .subscriberAdded(let subscriber) = $0 { subscriber.id } else { nil }
        }
        let subscriber = try Self.subscriber(id, in: state)
        return try ResourceAPI.json(
            SubscriberBody(subscriber, signingSecret: secret.map { "whsec_" + Data($0).base64EncodedString() }),
            status: .created, location: "/api/subscribers/\(id)")
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readSubscribers)
        return try ResourceAPI.json(SubscriberBody(try Self.subscriber(try Self.id(context), in: state)))
    }

    @Sendable package func update(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .manageSubscribers)
        let id = try Self.subscriber(try Self.id(context), in: current).id
        let input = try await JSONBody.decode(SubscriberComponentsInput.self, from: request)
        let (_, state) = try await api.run(.setSubscriberComponents(id, input.components), as: caller)
        return try ResourceAPI.json(SubscriberBody(try Self.subscriber(id, in: state)))
    }

    @Sendable package func reactivate(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .manageSubscribers)
        let id = try Self.subscriber(try Self.id(context), in: current).id
        let (_, state) = try await api.run(.reactivateSubscribers([id]), as: caller)
        return try ResourceAPI.json(SubscriberBody(try Self.subscriber(id, in: state)))
    }

    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .manageSubscribers)
        _ = try await api.run(.removeSubscribers([try Self.id(context)]), as: caller)
        return ResourceAPI.noContent()
    }

    @Sendable package func settings(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readOrganization)
        return try ResourceAPI.json(SubscriptionSettingsBody(state.subscriptionSettings))
    }

    @Sendable package func updateSettings(request: Request, context: StatusdRequestContext) async throws
        -> Response
    {
        let (caller, current) = try await api.authorize(request, for: .manageSubscribers)
        let input = try await JSONBody.decode(SubscriptionSettingsInput.self, from: request)
        let (_, state) = try await api.run(
            .updateSubscriptionSettings(input.applied(to: current.subscriptionSettings)), as: caller)
        return try ResourceAPI.json(SubscriptionSettingsBody(state.subscriptionSettings))
    }

    /// 422 for a channel this process cannot deliver on, saying what is missing.
    package static func refuseUndeliverable(
        _ channel: SubscriberChannel, _ deliverable: Set<SubscriberChannel>, field: String
    ) throws {
        guard !deliverable.contains(channel) else { return }
        let missing = channel == .email ? "no mail server is configured (smtp-url)" : "no SMS provider exists yet"
        throw Problem(
            status: .unprocessableContent, detail: "\(channel.rawValue) subscribers are not available: \(missing)",
            field: field)
    }

    /// A list filter from the query (`?state=active`), one of the enumeration's values.
    private static func filter<Value: CaseIterable & RawRepresentable>(
        _ request: Request, _ name: String, _ type: Value.Type
    ) throws -> Value? where Value.RawValue == String {
        try request.uri.queryParameters.get(name).map { text in
            guard let value = Value(rawValue: text) else {
                throw Problem(
                    status: .unprocessableContent, detail: "\(name) is not \(choices(Value.self))", field: name)
            }
            return value
        }
    }

    private static func id(_ context: StatusdRequestContext) throws -> SubscriberID {
        try ResourceAPI.pathID(context, "subscriber", as: SubscriberID.self)
    }

    private static func subscriber(_ id: SubscriberID, in state: OrgState) throws -> Subscriber {
        guard let subscriber = state.subscribers[id] else { throw ResourceAPI.notFound("subscriber", id.rawValue) }
        return subscriber
    }
}
