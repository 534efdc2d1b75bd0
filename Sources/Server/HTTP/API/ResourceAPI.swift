package import Auth
package import Engine
import Foundation
package import HTTPTypes
package import Hummingbird
import Live
import NIOCore
package import Persistence
package import Wire

/// What every authenticated resource route shares: finding the caller, running a command in its
/// organization, reading path ids and list parameters, and answering JSON.
package struct ResourceAPI: Sendable {
    package let registry: Registry
    package let authenticator: Authenticator
    /// Incidents and maintenance wherever they are: memory or the archive.
    package let history: OrgHistory
    /// The names statusd itself answers to (`--public-url`'s host): never an organization's domain.
    package var ownHosts: Set<String> = []

    /// Refuses a custom domain that is statusd's own host: it would take the server's pages over.
    package func checkDomain(_ patch: OrgPatch) throws {
        if let domain = patch.customDomain.flatMap({ $0 }), ownHosts.contains(domain.lowercased()) {
            throw Problem(
                status: .unprocessableContent, detail: "custom_domain '\(domain)' is statusd's own host",
                field: "custom_domain")
        }
    }

    /// Runs `command` as the caller and returns the organization's state after it (durable). A command
    /// applied before under the request's Idempotency-Key comes back `replayed`, with its first events.
    package func run(_ command: OrgCommand, as caller: Caller) async throws -> (commit: Commit, state: OrgState) {
        let commit = try await registry.submit(
            command, to: caller.organization, by: caller.principal, key: caller.commandKeys?.next())
        return (commit, caller.organization.view.state)
    }

    /// A command that made a secret (an API key, an invitation) cannot be answered again: the secret
    /// was shown once, in the first answer, and is kept only as a hash.
    package static func refuseReplay(of commit: Commit, secret what: String) throws {
        guard commit.replayed else { return }
        throw Problem(
            status: .conflict,
            detail: "this Idempotency-Key already created \(what); its secret was shown only in the first answer",
            field: "Idempotency-Key")
    }

    /// The caller and its organization's state, once the caller may do `access` there (the engine's
    /// table, docs/RULES.md "Roles"). Routes check in the order of docs/RULES.md: credential (401), then
    /// role (403), then the ids in the path (404), and only then read the body (422), so a viewer never
    /// learns what a malformed body would have done.
    package func authorize(_ request: Request, for access: OrgAccess) async throws -> (Caller, OrgState) {
        try authorize(try await authenticator.caller(for: request), for: access)
    }

    /// The caller's organization state, once the caller may do `access` there (403 otherwise).
    package func authorize(_ caller: Caller, for access: OrgAccess) throws -> (Caller, OrgState) {
        let state = caller.organization.view.state
        guard state.exists, let role = state.role(of: caller.principal) else {
            throw Problem(status: .forbidden, detail: "not a member of this organization")
        }
        guard let needed = access.role else {
            throw Problem(status: .forbidden, detail: "only statusd itself does this")
        }
        guard role.allows(needed) else {
            throw Problem(
                status: .forbidden, detail: "needs the \(needed.rawValue) role; this credential has \(role.rawValue)")
        }
        return (caller, state)
    }

    package static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, location: String? = nil) throws
        -> Response
    {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if let location { headers[.location] = location }
        let bytes = try PublicSummary.makeEncoder().encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    package static func noContent() -> Response { Response(status: .noContent, headers: [.cacheControl: "no-store"]) }

    /// The id in the path; text that is not an id of this kind names nothing here: 404.
    package static func pathID<Kind>(
        _ context: StatusdRequestContext, _ what: String, as type: Identifier<Kind>.Type, parameter: String = "id"
    ) throws -> Identifier<Kind> {
        let text = context.parameters.get(parameter) ?? ""
        guard let id = Identifier<Kind>(text) else { throw notFound(what, text) }
        return id
    }

    package static func notFound(_ what: String, _ text: String) -> Problem {
        Problem(status: .notFound, detail: "no \(what) '\(text.prefix(64))'", field: "id")
    }

    package static let defaultLimit = 50

    /// `limit` (1...200, default 50) from the query.
    package static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return defaultLimit }
        guard let limit = Int(text), (1...200).contains(limit) else {
            throw Problem(status: .unprocessableContent, detail: "limit must be a number from 1 to 200", field: "limit")
        }
        return limit
    }

    /// A page of a list in its order, resuming after the item whose id is the `cursor`.
    package static func page<Item: Identifiable>(_ items: [Item], _ request: Request) throws -> ([Item], next: String?)
    where Item.ID: CustomStringConvertible {
        let limit = try limit(request)
        var start = 0
        if let cursor = request.uri.queryParameters.get("cursor") {
            guard let index = items.firstIndex(where: { $0.id.description == cursor }) else {
                throw Problem(status: .unprocessableContent, detail: "cursor is not from this list", field: "cursor")
            }
            start = index + 1
        }
        let slice = Array(items[start..<min(items.count, start + limit)])
        let next = start + limit < items.count ? slice.last.map { $0.id.description } : nil
        return (slice, next)
    }

    /// The entity a command created, from its events.
    package static func created<Value>(_ commit: Commit, _ pick: (OrgChange) -> Value?) throws -> Value {
        for event in commit.events { if let value = pick(event.change) { return value } }
        throw Problem(status: .internalServerError, detail: "the command created nothing")
    }

    package init(registry: Registry, authenticator: Authenticator, archive: HistoryArchive, ownHosts: Set<String> = [])
    {
        self.registry = registry
        self.authenticator = authenticator
        self.history = OrgHistory(archive: archive)
        self.ownHosts = ownHosts
    }
}

/// A history cursor as clients carry it, opaque to them: `<hex bits of the listing time>.<id>`, exact
/// so that the item at the cursor compares equal to it.
package enum CursorText {
    package static func format<Item: HistoryItem>(_ cursor: HistoryCursor<Item>) -> String
    where Item.ID: CustomStringConvertible {
        String(cursor.at.timeIntervalSinceReferenceDate.bitPattern, radix: 16) + "." + cursor.id.description
    }

    /// The `cursor` of a history list request, if any. - Throws: 422 naming `cursor` for one not made here.
    package static func cursor<Item: HistoryItem, Kind>(_ request: Request, of type: Item.Type) throws -> HistoryCursor<
        Item
    >?
    where Item.ID == Identifier<Kind> {
        try parse(request.uri.queryParameters.get("cursor"), as: Identifier<Kind>.self).map {
            HistoryCursor(at: $0.0, id: $0.1)
        }
    }

    private static func parse<Kind>(_ text: String?, as type: Identifier<Kind>.Type) throws
        -> (Date, Identifier<Kind>)?
    {
        guard let text else { return nil }
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let bits = UInt64(parts[0], radix: 16), let id = Identifier<Kind>(parts[1]) else {
            throw Problem(status: .unprocessableContent, detail: "cursor is not from this list", field: "cursor")
        }
        return (Date(timeIntervalSinceReferenceDate: Double(bitPattern: bits)), id)
    }
}
