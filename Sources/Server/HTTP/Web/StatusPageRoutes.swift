import Auth
package import Engine
package import Foundation
package import HTTPTypes
import HashTreeCollections
package import Hummingbird
import Live
package import Mustache
package import NIOCore
package import Persistence
import Wire

/// The public HTML pages: `/status/{slug}` (the status page), `/status/{slug}/history` (past
/// incidents, through the archive), `/status/{slug}/incidents/{id}` and `/maintenance/{id}`
/// (permalinks), the organization's `theme.css` (its accent colour), and the shared stylesheet and
/// script under `/static/`. The status page and permalinks are rendered once per change and served
/// from the view's memo with the JSON's caching rules (ETag, 304, gzip); the status page's ETag also
/// carries the day (its bars), as the uptime JSON's does.
package struct StatusPageRoutes: Sendable {
    package let registry: Registry
    package let representation: CachedRepresentation
    package let history: OrgHistory
    package let library: MustacheLibrary
    /// Whether the page offers "Subscribe to updates" (a mail server is configured).
    package let mailAvailable: Bool
    package let stylesheet: StaticBytes
    package let script: StaticBytes

    package init(
        registry: Registry, representation: CachedRepresentation, archive: HistoryArchive, library: MustacheLibrary,
        mailAvailable: Bool = false
    ) {
        self.mailAvailable = mailAvailable
        self.registry = registry
        self.representation = representation
        self.history = OrgHistory(archive: archive)
        self.library = library
        stylesheet = StaticBytes(Data(WebAssets.css.utf8), contentType: "text/css; charset=utf-8")
        script = StaticBytes(Data(WebAssets.script.utf8), contentType: "text/javascript; charset=utf-8")
    }

    package static let htmlType = "text/html; charset=utf-8"
    /// Scripts and styles from statusd only (no inline ones), images from anywhere secure (the
    /// organization's logo), live updates from the same origin, and no framing.
    package static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; img-src 'self' https:; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        .xContentTypeOptions: "nosniff", HTTPField.Name("Referrer-Policy")!: "strict-origin-when-cross-origin",
    ]

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/static/status.css") { request, _ in stylesheet.respond(to: request) }
        router.get("/static/status.js") { request, _ in script.respond(to: request) }
        router.get("/status/:slug", use: page)
        router.get("/status/:slug/theme.css", use: theme)
        router.get("/status/:slug/history", use: history)
        router.get("/status/:slug/incidents/:id", use: incident)
        router.get("/status/:slug/maintenance/:id", use: maintenance)
    }

    @Sendable package func page(request: Request, context: StatusdRequestContext) async throws -> Response {
        let view = try view(context)
        let page = Self.page(of: view, library: library, mailAvailable: mailAvailable, now: WallClock.now())
        var response = try representation.respond(
            to: request, view: view, key: page.key, contentType: Self.htmlType, variant: page.variant,
            render: page.render)
        for field in Self.securityHeaders { response.headers[field.name] = field.value }
        return response
    }

    /// How `/status/{slug}` is answered for `view` at `now`: its memo key and the period in its ETag
    /// (the bars' day, and ten-minute slots while a service is down), and how it is rendered. Shared
    /// with the fast path below the router (`PublicReadFastPath`), so both answer the same bytes.
    package static func page(of view: OrgView, library: MustacheLibrary, mailAvailable: Bool, now: Date)
        -> (key: String, variant: String, render: (OrgView) -> ByteBuffer)
    {
        let period = view.uptimePeriod.label(at: now)
        return (
            "html/status-\(period)", period,
            { view in
                ByteBuffer(
                    string: render(
                        StatusPageModel(view.state, now: now).statusPage(
                            seq: view.publicSeq, mailAvailable: mailAvailable), "status", library))
            }
        )
    }

    /// The organization's accent colour as a CSS variable (validated `#rrggbb`), so the pages need no
    /// inline style.
    @Sendable package func theme(request: Request, context: StatusdRequestContext) async throws -> Response {
        let view = try view(context)
        return try representation.respond(
            to: request, view: view, key: "theme.css", contentType: "text/css; charset=utf-8"
        ) { view in
            let accent = view.state.settings.branding.accentColor.map { ":root { --accent: \($0); }\n" } ?? ""
            return ByteBuffer(string: "/* \(view.state.settings.slug) */\n" + accent)
        }
    }

    /// Past incidents, newest first, 20 a page, through memory and the archive; `cursor` pages on.
    @Sendable package func history(request: Request, context: StatusdRequestContext) async throws -> Response {
        let view = try view(context)
        let cursor = try CursorText.cursor(request, of: Incident.self)
        let state = view.state
        let page = try await history.incidents(in: state, after: cursor, limit: 20) { !$0.status.isActive }
        let older = page.next.map { "/status/\(state.settings.slug)/history?cursor=" + CursorText.format($0) }
        let model = StatusPageModel(state, now: WallClock.now()).history(
            seq: view.publicSeq, incidents: page.items, older: older)
        return rendered(model, template: "history", maxAge: 30)
    }

    @Sendable package func incident(request: Request, context: StatusdRequestContext) async throws -> Response {
        let history = history
        return try await permalink(
            request, context, "incident", current: { id, state in state.incidents[id] },
            archived: { id, state in try await history.incident(id, in: state) },
            model: { $0.permalink(seq: $1, incident: $2) })
    }

    @Sendable package func maintenance(request: Request, context: StatusdRequestContext) async throws -> Response {
        let history = history
        return try await permalink(
            request, context, "maintenance window", current: { id, state in state.maintenance[id] },
            archived: { id, state in try await history.maintenance(id, in: state) },
            model: { $0.permalink(seq: $1, window: $2) })
    }

    /// An incident's or a window's page: from the view's memo while it is in memory, rendered for the
    /// request once it is archived (read rarely). Text that is not an id of this kind names nothing.
    private func permalink<Kind, Item: Sendable>(
        _ request: Request, _ context: StatusdRequestContext, _ what: String,
        current: @escaping (Identifier<Kind>, OrgState) -> Item?,
        archived: @escaping @Sendable (Identifier<Kind>, OrgState) async throws -> Item?,
        model: @escaping (StatusPageModel, Seq, Item) -> [String: Any]
    ) async throws -> Response {
        let view = try view(context)
        let text = context.parameters.get("id") ?? ""
        let missing = Problem(status: .notFound, detail: "no \(what) '\(text.prefix(64))' on this page")
        guard let id = Identifier<Kind>(text) else { throw missing }
        if current(id, view.state) != nil {
            return try html(request, view, key: "html/\(id)", template: "permalink") { view in
                current(id, view.state).map {
                    model(StatusPageModel(view.state, now: WallClock.now()), view.publicSeq, $0)
                }
                    ?? [:]
            }
        }
        let state = view.state
        guard let item = try await archived(id, state) else {
            throw missing
        }
        return rendered(
            model(StatusPageModel(state, now: WallClock.now()), view.publicSeq, item), template: "permalink",
            maxAge: 300)
    }

    // MARK: Answers

    private func view(_ context: StatusdRequestContext) throws -> OrgView {
        try registry.publicView(slug: context.parameters.get("slug") ?? "")
    }

    /// A page from the view's memo, with the public caching rules and the security headers.
    private func html(
        _ request: Request, _ view: OrgView, key: String, variant: String = "", template: String,
        model: @escaping (OrgView) -> [String: Any]
    ) throws -> Response {
        let library = library
        var response = try representation.respond(
            to: request, view: view, key: key, contentType: Self.htmlType, variant: variant
        ) { view in
            ByteBuffer(string: Self.render(model(view), template, library))
        }
        for field in Self.securityHeaders { response.headers[field.name] = field.value }
        return response
    }

    /// A page rendered for this request alone (history pages, archived permalinks: read rarely).
    private func rendered(_ model: [String: Any], template: String, maxAge: Int) -> Response {
        var headers = Self.securityHeaders
        headers[.contentType] = Self.htmlType
        headers[.cacheControl] = "public, max-age=\(maxAge)"
        return Response(
            status: .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: Self.render(model, template, library))))
    }

    /// The library answers nil only for a template it does not hold: ours are fixed at start-up.
    package static func render(_ model: [String: Any], _ template: String, _ library: MustacheLibrary) -> String {
        guard let text = library.render(model, withTemplate: template) else {
            preconditionFailure("no page template '\(template)'")
        }
        return text
    }
}
