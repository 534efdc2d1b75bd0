import Engine
import Foundation
import HTTPTypes
import HashTreeCollections
import Hummingbird
import Mustache
import NIOCore
import NIOPosix
import Persistence

/// The public HTML pages: `/status/{slug}` (the status page), `/status/{slug}/history` (past
/// incidents, through the archive), `/status/{slug}/incidents/{id}` and `/maintenance/{id}`
/// (permalinks), the organization's `theme.css` (its accent colour), and the shared stylesheet and
/// script under `/static/`. The status page and permalinks are rendered once per change and served
/// from the view's memo with the JSON's caching rules (ETag, 304, gzip); the status page's ETag also
/// carries the day (its bars), as the uptime JSON's does.
struct StatusPageRoutes: Sendable {
    let registry: Registry
    let representation: CachedRepresentation
    let archive: HistoryArchive
    let library: MustacheLibrary
    let stylesheet: StaticBytes
    let script: StaticBytes

    init(registry: Registry, representation: CachedRepresentation, archive: HistoryArchive) throws {
        self.registry = registry
        self.representation = representation
        self.archive = archive
        library = try PageTemplates.library()
        stylesheet = StaticBytes(Data(WebAssets.css.utf8), contentType: "text/css; charset=utf-8")
        script = StaticBytes(Data(WebAssets.script.utf8), contentType: "text/javascript; charset=utf-8")
    }

    static let htmlType = "text/html; charset=utf-8"
    /// Scripts and styles from statusd only (no inline ones), images from anywhere secure (the
    /// organization's logo), live updates from the same origin, and no framing.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; img-src 'self' https:; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        .xContentTypeOptions: "nosniff", HTTPField.Name("Referrer-Policy")!: "strict-origin-when-cross-origin",
    ]

    func add(to router: Router<StatusdRequestContext>) {
        router.get("/static/status.css") { request, _ in stylesheet.respond(to: request) }
        router.get("/static/status.js") { request, _ in script.respond(to: request) }
        router.get("/status/:slug", use: page)
        router.get("/status/:slug/theme.css", use: theme)
        router.get("/status/:slug/history", use: history)
        router.get("/status/:slug/incidents/:id", use: incident)
        router.get("/status/:slug/maintenance/:id", use: maintenance)
    }

    @Sendable func page(request: Request, context: StatusdRequestContext) async throws -> Response {
        let view = try view(context)
        let now = Date()
        let period = ServiceHistoryRoutes.period(of: view.state, at: now)
        return try html(request, view, key: "html/status-\(period)", variant: period) { view in
            StatusPageModel(view.state, now: now).statusPage(seq: view.publicSeq)
        } template: {
            "status"
        }
    }

    /// The organization's accent colour as a CSS variable (validated `#rrggbb`), so the pages need no
    /// inline style.
    @Sendable func theme(request: Request, context: StatusdRequestContext) async throws -> Response {
        let view = try view(context)
        return try representation.respond(
            to: request, view: view, key: "theme.css", contentType: "text/css; charset=utf-8"
        ) { view in
            let accent = view.state.settings.branding.accentColor.map { ":root { --accent: \($0); }\n" } ?? ""
            return ByteBuffer(string: "/* \(view.state.settings.slug) */\n" + accent)
        }
    }

    /// Past incidents, newest first, 20 a page, through memory and the archive; `cursor` pages on.
    @Sendable func history(request: Request, context: StatusdRequestContext) async throws -> Response {
        let view = try view(context)
        let cursor = try CursorText.cursor(request, of: Incident.self)
        let state = view.state
        let archive = archive
        let page = try await NIOThreadPool.singleton.runIfActive {
            try archive.incidents(of: state.id, memory: state.incidents.values, after: cursor, limit: 20) {
                !$0.status.isActive
            }
        }
        let older = page.next.map { "/status/\(state.settings.slug)/history?cursor=" + CursorText.format($0) }
        let text =
            library.render(
                StatusPageModel(state, now: Date()).history(seq: view.publicSeq, incidents: page.items, older: older),
                withTemplate: "history") ?? ""
        var headers = Self.securityHeaders
        headers[.contentType] = Self.htmlType
        headers[.cacheControl] = "public, max-age=30"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    @Sendable func incident(request: Request, context: StatusdRequestContext) async throws -> Response {
        let view = try view(context)
        let text = context.parameters.get("id") ?? ""
        guard let id = IncidentID(text) else { throw Self.missing(text) }
        if view.state.incidents[id] != nil {
            return try html(request, view, key: "html/incident/\(id)") { view in
                StatusPageModel(view.state, now: Date()).permalink(
                    seq: view.publicSeq, incident: view.state.incidents[id])
            } template: {
                "permalink"
            }
        }
        let state = view.state
        let archive = archive
        guard let archived = try await NIOThreadPool.singleton.runIfActive({ try archive.incident(id, of: state.id) })
        else { throw Self.missing(text) }
        return rendered(StatusPageModel(state, now: Date()).permalink(seq: view.publicSeq, incident: archived))
    }

    @Sendable func maintenance(request: Request, context: StatusdRequestContext) async throws -> Response {
        let view = try view(context)
        let text = context.parameters.get("id") ?? ""
        guard let id = MaintenanceID(text) else { throw Self.missing(text) }
        if view.state.maintenance[id] != nil {
            return try html(request, view, key: "html/maintenance/\(id)") { view in
                StatusPageModel(view.state, now: Date()).permalink(
                    seq: view.publicSeq, window: view.state.maintenance[id])
            } template: {
                "permalink"
            }
        }
        let state = view.state
        let archive = archive
        guard
            let archived = try await NIOThreadPool.singleton.runIfActive({ try archive.maintenance(id, of: state.id) })
        else { throw Self.missing(text) }
        return rendered(StatusPageModel(state, now: Date()).permalink(seq: view.publicSeq, window: archived))
    }

    // MARK: Answers

    private func view(_ context: StatusdRequestContext) throws -> OrgView {
        try registry.publicView(slug: context.parameters.get("slug") ?? "")
    }

    /// A page from the view's memo, with the public caching rules and the security headers.
    private func html(
        _ request: Request, _ view: OrgView, key: String, variant: String = "",
        model: @escaping (OrgView) -> [String: Any], template: () -> String
    ) throws -> Response {
        let name = template()
        let library = library
        var response = try representation.respond(
            to: request, view: view, key: key, contentType: Self.htmlType, variant: variant
        ) { view in
            ByteBuffer(string: library.render(model(view), withTemplate: name) ?? "")
        }
        for field in Self.securityHeaders { response.headers[field.name] = field.value }
        return response
    }

    /// A page rendered for this request alone (archived history, read rarely).
    private func rendered(_ model: [String: Any]) -> Response {
        var headers = Self.securityHeaders
        headers[.contentType] = Self.htmlType
        headers[.cacheControl] = "public, max-age=300"
        let text = library.render(model, withTemplate: "permalink") ?? ""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func missing(_ text: String) -> Problem {
        Problem(status: .notFound, detail: "no incident '\(text.prefix(64))' on this page")
    }
}
