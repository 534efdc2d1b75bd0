package import Auth
package import Engine
import Foundation
package import HTTP
package import HTTPTypes
package import Hummingbird
import NIOCore
import Persistence
package import Wire

/// What every route of Statuspage's management API v1 (`/v1`) shares: the credential as Statuspage's
/// clients send it, the page (organization) the path names, paging, and answers in its shapes.
/// Writes run the same commands as our own API: one engine, two dialects.
package struct StatuspageV1API: Sendable {
    package let api: ResourceAPI
    /// `--public-url`, for the page's `url` and the incidents' `shortlink`.
    package let baseURL: String

    /// The caller acting on the page `{page_id}` names (the organization's id or slug), who may do
    /// `access` there. Checks run in the order of docs/RULES.md: credential (401), role (403), page (404).
    ///
    /// Statuspage documents `Authorization: OAuth <key>`; clients also send `Bearer <key>` and the bare
    /// key, and some an `api_key` query parameter. Any other page than the credential's own answers
    /// 404, as another organization's ids do.
    package func authorize(
        _ request: Request, _ context: StatusdRequestContext, for access: OrgAccess, pathParameter: String = "page_id"
    ) async throws -> (Caller, OrgState) {
        let token = try Self.token(request)
        let page = context.parameters.get(pathParameter) ?? ""
        let identity = try await api.authenticator.identity(token: token)
        guard let caller = api.authenticator.caller(identity, naming: page) else { throw Self.noSuchPage(page) }
        return try api.authorize(caller, for: access)
    }

    /// The token of a v1 request, in any of the forms Statuspage's clients use.
    package static func token(_ request: Request) throws -> String {
        if let header = request.headers[.authorization]?.trimmingCharacters(in: .whitespaces), !header.isEmpty {
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, ["oauth", "bearer", "token"].contains(parts[0].lowercased()) {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
            if parts.count == 1 { return header }
            throw Authenticator.unauthorized("the Authorization header must be 'OAuth <API key>'")
        }
        if let key = request.uri.queryParameters.get("api_key"), !key.isEmpty { return key }
        throw Authenticator.unauthorized("credentials required: Authorization: OAuth <API key>")
    }

    package static func noSuchPage(_ text: String) -> Problem {
        Problem(status: .notFound, detail: "no page '\(text.prefix(64))' for this credential", field: "page_id")
    }

    /// Runs `command` as the caller; the organization's state after it.
    package func run(_ command: OrgCommand, as caller: Caller) async throws -> (commit: Commit, state: OrgState) {
        try await api.run(command, as: caller)
    }

    package func shapes(_ state: OrgState) -> StatuspagePublic { StatuspagePublic(state, baseURL: baseURL) }

    /// The id in the path under `name`, as text (it names nothing here unless it parses: 404).
    package static func pathID<Kind>(_ context: StatusdRequestContext, _ name: String, as type: Identifier<Kind>.Type)
        -> Identifier<Kind>?
    {
        Identifier<Kind>(context.parameters.get(name) ?? "")
    }

    package static func notFound(_ what: String, _ context: StatusdRequestContext, _ name: String) -> Problem {
        Problem(status: .notFound, detail: "no \(what) '\((context.parameters.get(name) ?? "").prefix(64))'")
    }

    // MARK: Answers

    /// A JSON answer: Statuspage answers lists as bare arrays and single resources as bare objects.
    package static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: try value.compact())))
    }

    package init(api: ResourceAPI, baseURL: String) {
        self.api = api
        self.baseURL = baseURL
    }
}

/// `page`, `per_page` and `limit` of a v1 list: pages count from 1, `per_page` (or `limit`) is at most
/// 100 and larger values are taken as 100, as Statuspage does.
package struct V1Paging: Sendable {
    package let page: Int
    package let perPage: Int

    package static let perPageMax = 100
    /// How deep a list may be paged (`page x per_page`); deeper pages of the history are read through
    /// our own API's cursors, which cost the same at any depth.
    package static let depthMax = 10_000

    package init(_ request: Request) throws {
        let query = request.uri.queryParameters
        page = try Self.number(query.get("page"), "page") ?? 1
        perPage = min(
            try Self.number(query.get("per_page") ?? query.get("limit"), "per_page") ?? Self.perPageMax, Self.perPageMax
        )
        // Compared by division: a page number near Int.max would overflow the product and trap.
        guard page <= Self.depthMax / perPage else {
            throw Problem(
                status: .unprocessableContent,
                detail: "page x per_page must be at most \(Self.depthMax); older history is in /api/incidents",
                field: "page")
        }
    }

    /// How many items from the start the page needs.
    package var depth: Int { page * perPage }

    package func slice<Item>(_ items: [Item]) -> [Item] {
        let start = (page - 1) * perPage
        guard start < items.count else { return [] }
        return Array(items[start..<min(items.count, start + perPage)])
    }

    private static func number(_ text: String?, _ name: String) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let number = Int(text), number >= 1 else {
            throw Problem(status: .unprocessableContent, detail: "\(name) must be a whole number from 1", field: name)
        }
        return number
    }
}
