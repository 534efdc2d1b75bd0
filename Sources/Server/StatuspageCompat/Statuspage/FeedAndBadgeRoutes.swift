import Auth
package import Engine
import Foundation
package import HTTP
import HashTreeCollections
package import Hummingbird
import NIOCore
import Wire

/// The public extras other tools read: history feeds (`HistoryFeeds`), badges (`Badge`) and the embed
/// script (`EmbedScript`). Feeds and badges are rendered once per change, with our public caching.
package struct FeedAndBadgeRoutes: Sendable {
    package let registry: Registry
    package let representation: CachedRepresentation
    /// `--public-url`: where the pages are, for the feeds' links.
    package let baseURL: String

    package static let rssType = "application/rss+xml; charset=utf-8"
    package static let atomType = "application/atom+xml; charset=utf-8"
    package static let svgType = "image/svg+xml; charset=utf-8"
    package static let embed = StaticBytes(Data(EmbedScript.source.utf8), contentType: "text/javascript; charset=utf-8")

    package func add(to router: Router<StatusdRequestContext>) {
        for path in ["/s/:slug/history.rss", "/status/:slug/feed.rss"] {
            router.get(RouterPath(path)) { request, context in try feed(request, context, rss: true) }
        }
        for path in ["/s/:slug/history.atom", "/status/:slug/feed.atom"] {
            router.get(RouterPath(path)) { request, context in try feed(request, context, rss: false) }
        }
        router.get("/status/:slug/badge.svg") { request, context in try pageBadge(request, context, svg: true) }
        router.get("/status/:slug/badge.json") { request, context in try pageBadge(request, context, svg: false) }
        router.get("/status/:slug/services/:id/badge.svg") { request, context in
            try serviceBadge(request, context, svg: true)
        }
        router.get("/status/:slug/services/:id/badge.json") { request, context in
            try serviceBadge(request, context, svg: false)
        }
        router.get("/status/:slug/embed.js") { request, context in
            _ = try registry.publicView(slug: context.parameters.get("slug") ?? "")
            return Self.embed.respond(to: request)
        }
    }

    private func feed(_ request: Request, _ context: StatusdRequestContext, rss: Bool) throws -> Response {
        let view = try registry.publicView(slug: context.parameters.get("slug") ?? "")
        let baseURL = baseURL
        return try representation.respond(
            to: request, view: view, key: rss ? "feed.rss" : "feed.atom",
            contentType: rss ? Self.rssType : Self.atomType
        ) { view in
            let feeds = HistoryFeeds(view.state, baseURL: baseURL)
            return ByteBuffer(string: rss ? feeds.rss : feeds.atom)
        }
    }

    private func pageBadge(_ request: Request, _ context: StatusdRequestContext, svg: Bool) throws -> Response {
        let view = try registry.publicView(slug: context.parameters.get("slug") ?? "")
        return try respond(request, view, key: "badge", svg: svg) { Badge(page: $0.state.pageStatus) }
    }

    /// A service's badge; `?uptime=true` adds its 90-day uptime (and the uptime's period to the ETag,
    /// as the public uptime does).
    private func serviceBadge(_ request: Request, _ context: StatusdRequestContext, svg: Bool) throws -> Response {
        let view = try registry.publicView(slug: context.parameters.get("slug") ?? "")
        let text = context.parameters.get("id") ?? ""
        guard let id = ServiceID(text), view.state.services[id] != nil else {
            throw Problem(status: .notFound, detail: "no service '\(text.prefix(64))' on this page")
        }
        var period: String?
        switch request.uri.queryParameters.get("uptime") {
        case nil, "false": break
        case "true": period = view.uptimePeriod.label(at: WallClock.now())
        default:
            throw Problem(status: .unprocessableContent, detail: "uptime must be true or false", field: "uptime")
        }
        let now = WallClock.now()
        return try respond(
            request, view, key: "badge-\(id.rawValue)" + (period.map { "-u" + $0 } ?? ""), svg: svg,
            variant: period ?? ""
        ) { view in
            let service = view.state.services[id]!  // checked above, and the memo is per view
            let uptime = period == nil ? nil : view.state.uptime(of: id, days: 90, now: now)?.overall
            return Badge(service: service, uptime: uptime)
        }
    }

    private func respond(
        _ request: Request, _ view: OrgView, key: String, svg: Bool, variant: String = "",
        badge: @escaping (OrgView) -> Badge
    ) throws -> Response {
        try representation.respond(
            to: request, view: view, key: key + (svg ? ".svg" : ".json"),
            contentType: svg ? Self.svgType : PublicStatusRoutes.jsonType, variant: variant
        ) { view in
            svg ? ByteBuffer(string: badge(view).svg) : ByteBuffer(bytes: try badge(view).endpoint.compact())
        }
    }

    package init(registry: Registry, representation: CachedRepresentation, baseURL: String) {
        self.registry = registry
        self.representation = representation
        self.baseURL = baseURL
    }
}
