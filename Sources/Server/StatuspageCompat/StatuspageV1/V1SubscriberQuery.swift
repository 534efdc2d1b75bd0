package import Engine
import Foundation
package import Hummingbird
import Wire

/// The query of `GET /v1/pages/{page_id}/subscribers` as Statuspage documents it: `q`, `type`, `state`
/// (default `active`; `all`), `sort_field` (`primary`, `created_at`, `quarantined_at`, `relevance`),
/// `sort_direction`, `limit` and `page` (counted from 0, unlike v1's other lists).
///
/// Statuspage returns every subscriber when no `limit` is given; statusd does so up to `unpagedMax`
/// and answers 422 beyond it rather than cut the list short without saying so.
package struct V1SubscriberQuery: Sendable {
    package let text: String?
    package let type: SubscriberChannel?
    /// `integration_partner`: a type statusd has none of.
    package let typeHasNone: Bool
    package let states: Set<SubscriberState>
    package let sort: Sort
    package let descending: Bool
    package let limit: Int?
    package let page: Int

    package enum Sort: String, CaseIterable, Sendable {
        case primary, createdAt = "created_at", quarantinedAt = "quarantined_at", relevance
    }

    /// With `q`, the default and largest `limit` (Statuspage's).
    package static let searchLimit = 100
    /// The most subscribers one answer holds.
    package static let unpagedMax = 10_000

    package init(_ request: Request) throws {
        let query = request.uri.queryParameters
        text = query.get("q").map { $0.lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        (type, typeHasNone) = try Self.type(query.get("type"))
        states = try Self.states(query.get("state"))
        sort = try Self.choice(query.get("sort_field"), "sort_field", Sort.self) ?? .primary
        if sort == .relevance && text == nil {
            throw Problem(status: .unprocessableContent, detail: "sort_field relevance needs q", field: "sort_field")
        }
        descending = try Self.choice(query.get("sort_direction"), "sort_direction", Direction.self) == .desc
        let limit = try Self.number(query.get("limit"), "limit", from: 1)
        self.limit =
            text == nil ? limit.map { min($0, Self.unpagedMax) } : min(limit ?? Self.searchLimit, Self.searchLimit)
        page = try Self.number(query.get("page"), "page", from: 0) ?? 0
        guard page <= Self.unpagedMax * 100 / (self.limit ?? Self.unpagedMax) else {
            throw Problem(status: .unprocessableContent, detail: "page is past any subscriber list", field: "page")
        }
    }

    /// A subscriber with its address as shown, lowercased: worked out once, not per comparison (a
    /// URL is parsed to be masked).
    private struct Entry {
        let subscriber: Subscriber
        let shown: String
    }

    /// Whether `entry` is among those asked for.
    private func matches(_ entry: Entry) -> Bool {
        let subscriber = entry.subscriber
        guard !typeHasNone, states.contains(subscriber.state), type == nil || subscriber.channel == type else {
            return false
        }
        return text.map(entry.shown.contains) ?? true
    }

    /// The page asked for of the matching subscribers, in the order asked for.
    package func select(_ subscribers: some Sequence<Subscriber>) throws -> [Subscriber] {
        let found = subscribers.map { Entry(subscriber: $0, shown: Self.shown($0)) }.filter(matches)
        guard limit != nil || found.count <= Self.unpagedMax else {
            throw Problem(
                status: .unprocessableContent,
                detail:
                    "\(found.count) subscribers match: ask for them with limit (at most \(Self.unpagedMax)) and page",
                field: "limit")
        }
        let ordered = found.sorted { descending ? precedes($1, $0) : precedes($0, $1) }.map(\.subscriber)
        guard let limit else { return ordered }
        let start = page * limit
        return start < ordered.count ? Array(ordered[start..<min(ordered.count, start + limit)]) : []
    }

    private func precedes(_ left: Entry, _ right: Entry) -> Bool {
        let (one, other) = (left.subscriber, right.subscriber)
        switch sort {
        case .primary:
            return left.shown != right.shown ? left.shown < right.shown : one.id < other.id
        case .createdAt:
            return one.createdAt != other.createdAt ? one.createdAt < other.createdAt : one.id < other.id
        case .quarantinedAt:
            let (a, b) = (one.quarantinedAt ?? .distantFuture, other.quarantinedAt ?? .distantFuture)
            return a != b ? a < b : one.id < other.id
        case .relevance:
            let (a, b) = (relevance(left.shown), relevance(right.shown))
            return a != b ? a > b : left.shown < right.shown
        }
    }

    /// An exact match before one that starts with `q` before one that merely contains it.
    private func relevance(_ shown: String) -> Int {
        guard let text else { return 0 }
        return shown == text ? 2 : shown.hasPrefix(text) ? 1 : 0
    }

    /// What `q` searches and `primary` sorts by: the address as the API shows it (a URL masked, so a
    /// search cannot probe a bearer secret), lowercased.
    private static func shown(_ subscriber: Subscriber) -> String {
        SubscriberBody.shownAddress(subscriber).lowercased()
    }

    private enum Direction: String, CaseIterable { case asc, desc }

    private static func type(_ text: String?) throws -> (SubscriberChannel?, Bool) {
        guard let text, !text.isEmpty else { return (nil, false) }
        if text == "integration_partner" { return (nil, true) }
        guard let channel = SubscriberChannel(rawValue: text) else {
            throw Problem(
                status: .unprocessableContent,
                detail: "type '\(text.prefix(32))' is not \(choices(SubscriberChannel.self)) or integration_partner",
                field: "type")
        }
        return (channel, false)
    }

    /// `state`: one state, or `all`; `active` when absent.
    package static func states(_ text: String?, default fallback: SubscriberState = .active) throws
        -> Set<SubscriberState>
    {
        guard let text, !text.isEmpty else { return [fallback] }
        if text == "all" { return Set(SubscriberState.allCases) }
        guard let state = SubscriberState(rawValue: text) else {
            throw Problem(
                status: .unprocessableContent,
                detail: "state '\(text.prefix(32))' is not \(choices(SubscriberState.self)) or all",
                field: "state")
        }
        return [state]
    }

    private static func choice<Value: CaseIterable & RawRepresentable>(_ text: String?, _ name: String, _: Value.Type)
        throws -> Value? where Value.RawValue == String
    {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Value(rawValue: text) else {
            throw Problem(
                status: .unprocessableContent, detail: "\(name) '\(text.prefix(32))' is not \(choices(Value.self))",
                field: name)
        }
        return value
    }

    private static func number(_ text: String?, _ name: String, from least: Int) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let number = Int(text), number >= least else {
            throw Problem(
                status: .unprocessableContent, detail: "\(name) must be a whole number from \(least)", field: name)
        }
        return number
    }
}
