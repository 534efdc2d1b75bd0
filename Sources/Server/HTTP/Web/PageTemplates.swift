import Auth
import Lifecycle
import Live
package import Mustache
import Outbound
import Wire

/// The public pages' Mustache templates, compiled once at start-up into one library. Kept in the
/// binary as text (statusd ships as one file, as the OpenAPI viewer does). Every value is written
/// with `{{...}}`, which escapes `& < > " '`: user text is shown as text in HTML and in attributes.
/// The pages run no inline script or style, so the Content-Security-Policy can forbid both.
package enum PageTemplates {
    package static func library() throws -> MustacheLibrary {
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in sources { templates[name] = try MustacheTemplate(string: text) }
        return MustacheLibrary(templates: templates)
    }

    package static let sources: [(String, String)] = [
        ("head", head), ("foot", foot), ("incident", incident), ("maintenance", maintenance),
        ("status", status), ("history", history), ("permalink", permalink),
    ]

    package static let head = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        <link rel="stylesheet" href="/static/status.css">
        <link rel="stylesheet" href="/status/{{slug}}/theme.css">
        <link rel="alternate" type="application/atom+xml" title="{{name}} status history" href="/status/{{slug}}/feed.atom">
        <link rel="alternate" type="application/rss+xml" title="{{name}} status history" href="/status/{{slug}}/feed.rss">
        <script src="/static/status.js" defer></script>
        </head>
        <body data-slug="{{slug}}" data-seq="{{seq}}">
        <a class="skip" href="#page">Skip to content</a>
        <header class="top">
        <a class="brand" href="/status/{{slug}}">{{#logo}}<img class="logo" src="{{logo}}" alt="">{{/logo}}<span>{{name}}</span></a>
        <span class="live" id="live" role="status" aria-live="polite" data-state="static">Updates on reload</span>
        </header>

        """

    package static let foot = """
        <footer class="bottom">
        <nav aria-label="More">
        <a href="/status/{{slug}}">Current status</a>
        <a href="/status/{{slug}}/history">Incident history</a>
        <a href="/status/{{slug}}/feed.rss">RSS</a>
        <a href="/status/{{slug}}/feed.atom">Atom</a>
        </nav>
        <p>Times in {{timeZone}} · Powered by statusd</p>
        </footer>
        </body>
        </html>

        """

    package static let incident = """
        <article class="incident impact-{{impact}}" aria-labelledby="{{anchor}}">
        <h3 id="{{anchor}}"><a href="{{link}}">{{name}}</a></h3>
        <p class="meta">{{status}} · started <time datetime="{{startedISO}}">{{started}}</time>{{#resolved}} · resolved {{resolved}}{{/resolved}}{{#affected}} · affects {{affected}}{{/affected}}</p>
        <ol class="timeline">
        {{#updates}}<li><strong>{{status}}</strong> <span class="body">{{body}}</span> <time datetime="{{iso}}">{{when}}</time></li>
        {{/updates}}</ol>
        </article>

        """

    package static let maintenance = """
        <article class="maintenance">
        <h3><a href="{{link}}">{{name}}</a></h3>
        <p class="meta">{{status}} · <time datetime="{{fromISO}}">{{from}}</time> to <time datetime="{{untilISO}}">{{until}}</time>{{#affected}} · affects {{affected}}{{/affected}}</p>
        {{#description}}<p class="body">{{description}}</p>{{/description}}
        {{#hasUpdates}}<ol class="timeline">
        {{#updates}}<li><strong>{{status}}</strong> <span class="body">{{body}}</span> <time datetime="{{iso}}">{{when}}</time></li>
        {{/updates}}</ol>{{/hasUpdates}}
        </article>

        """

    package static let status = """
        {{> head}}<main id="page">
        <section class="banner indicator-{{indicator}}" aria-label="Overall status"><p>{{description}}</p></section>
        {{#anyActiveMaintenance}}<section aria-labelledby="under-way"><h2 id="under-way">Maintenance under way</h2>
        {{#activeMaintenance}}{{> maintenance}}{{/activeMaintenance}}</section>{{/anyActiveMaintenance}}
        {{#anyIncidents}}<section aria-labelledby="incidents"><h2 id="incidents">Incidents</h2>
        {{#incidents}}{{> incident}}{{/incidents}}</section>{{/anyIncidents}}
        <section class="services" aria-labelledby="services"><h2 id="services">Services</h2>
        {{#sections}}<div class="section">{{#groupName}}<h3 class="group">{{groupName}}</h3>{{/groupName}}
        <ul>
        {{#services}}<li class="service">
        <div class="row"><span class="name">{{name}}</span><span class="status status-{{status}}">{{statusLabel}}</span></div>
        <div class="bars" role="img" aria-label="{{name}}: {{uptime}} uptime over 90 days">{{#days}}<span class="bar bar-{{worst}}" title="{{title}}"></span>{{/days}}</div>
        <div class="legend"><span>90 days ago</span><span>{{uptime}} uptime</span><span>Today</span></div>
        </li>
        {{/services}}</ul></div>
        {{/sections}}</section>
        {{#anyUpcoming}}<section aria-labelledby="upcoming"><h2 id="upcoming">Scheduled maintenance</h2>
        {{#upcomingMaintenance}}{{> maintenance}}{{/upcomingMaintenance}}</section>{{/anyUpcoming}}
        </main>
        {{> foot}}
        """

    package static let history = """
        {{> head}}<main id="page">
        <h1>Incident history</h1>
        {{#empty}}<p>No incidents reported.</p>{{/empty}}
        {{#past}}{{> incident}}{{/past}}
        {{#older}}<p class="pager"><a href="{{older}}" rel="next">Older incidents</a></p>{{/older}}
        </main>
        {{> foot}}
        """

    package static let permalink = """
        {{> head}}<main id="page">
        {{#incident}}{{> incident}}{{/incident}}
        {{#window}}{{> maintenance}}{{/window}}
        </main>
        {{> foot}}
        """
}
