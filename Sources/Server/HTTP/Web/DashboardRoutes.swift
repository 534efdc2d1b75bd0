import Auth
import Foundation
package import Hummingbird
import Lifecycle
import Live
import Outbound
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

    package static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>statusd dashboard</title>
        <link rel="stylesheet" href="/static/status.css">
        <link rel="stylesheet" href="/static/dashboard.css">
        <script src="/static/dashboard.js" defer></script>
        </head>
        <body class="dashboard">
        <a class="skip" href="#app">Skip to content</a>
        <header class="top">
        <a class="brand" href="/dashboard#/"><span>statusd</span></a>
        <div class="account" id="account"></div>
        <span class="live" id="live" role="status" aria-live="polite" data-state="static">Offline</span>
        </header>
        <main id="app"><noscript>The dashboard needs JavaScript; the status pages and the API do not.</noscript></main>
        </body>
        </html>

        """

    package static let css = """
        .dashboard { max-width: 64rem; }
        .account { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; font-size: .9rem; }
        .panel { margin: 1.5rem 0; }
        .orghead { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; margin-top: 1.5rem; }
        .orghead h1 { margin: 0; font-size: 1.6rem; }
        .muted { color: var(--muted); font-size: .9rem; }
        .tabs { display: flex; gap: .25rem; flex-wrap: wrap; border-bottom: 1px solid var(--line); margin: 1rem 0; }
        .tabs a { padding: .5rem .75rem; text-decoration: none; border-radius: .4rem .4rem 0 0; }
        .tabs a[aria-current="page"] { background: var(--card); border: 1px solid var(--line); border-bottom-color: var(--card);
          color: var(--fg); font-weight: 600; }
        .form { display: grid; gap: .75rem; max-width: 36rem; background: var(--card); border: 1px solid var(--line);
          border-radius: .5rem; padding: 1rem; }
        .field { display: grid; gap: .25rem; }
        label, legend { font-weight: 600; font-size: .9rem; }
        input, select, textarea { font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: .35rem;
          background: var(--bg); color: var(--fg); max-width: 100%; }
        .checks { border: 1px solid var(--line); border-radius: .35rem; display: flex; flex-wrap: wrap; gap: .75rem; }
        .checks label { font-weight: normal; }
        .field-error, .form-error { color: var(--critical); font-size: .85rem; min-height: 0; margin: 0; }
        .form-error:empty, .field-error:empty { display: none; }
        button { font: inherit; padding: .45rem .9rem; border-radius: .35rem; border: 1px solid var(--line);
          background: var(--card); color: var(--fg); cursor: pointer; }
        button[type="submit"], button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button:disabled { opacity: .6; }
        .actions { display: flex; gap: .5rem; flex-wrap: wrap; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: middle; overflow-wrap: anywhere; }
        .card { background: var(--card); border: 1px solid var(--line); border-left: .3rem solid var(--minor);
          border-radius: .5rem; padding: 1rem; margin-bottom: 1rem; }
        .card .form { background: var(--bg); margin-top: .75rem; }
        .orgs { padding-left: 1.2rem; }
        .link input { width: 100%; margin: .35rem 0; }
        @media (max-width: 480px) { th, td { padding: .35rem; } }

        """
}
