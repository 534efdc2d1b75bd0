import Foundation
package import Hummingbird
import Wire

/// `/` (the landing and organization chooser), `/dashboard` and `/accept-invitation?token=...`: one
/// page whose script (`DashboardScript`) draws each view from the HTTP API, with its stylesheet and
/// script under `/static/`. The same security headers as the public pages: no inline script or style.
package struct DashboardRoutes: Sendable {
    package let shell: StaticBytes
    package let script: StaticBytes
    package let stylesheet: StaticBytes

    package init() {
        var shell = StaticBytes(Data(Self.html.utf8), contentType: StatusPageRoutes.htmlType)
        for field in StatusPageRoutes.securityHeaders { shell.headers[field.name] = field.value }
        // The page shows who is signed in: never kept by a shared cache.
        shell.headers[.cacheControl] = "no-cache"
        self.shell = shell
        script = StaticBytes(Data(DashboardScript.source.utf8), contentType: "text/javascript; charset=utf-8")
        stylesheet = StaticBytes(Data(Self.css.utf8), contentType: "text/css; charset=utf-8")
    }

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/") { request, _ in shell.respond(to: request) }
        router.get("/dashboard") { request, _ in shell.respond(to: request) }
        router.get("/accept-invitation") { request, _ in shell.respond(to: request) }
        router.get("/static/dashboard.js") { request, _ in script.respond(to: request) }
        router.get("/static/dashboard.css") { request, _ in stylesheet.respond(to: request) }
    }

    package static let html = String(decoding: PackageResources.dashboard_html, as: UTF8.self)

    package static let css = String(decoding: PackageResources.dashboard_css, as: UTF8.self)
}
