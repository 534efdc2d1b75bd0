/// The public pages' stylesheet and script, served from `/static/` with a content ETag
/// (`StaticBytes`). Plain CSS and JavaScript, no build step: the pages are complete without the
/// script, which only keeps them current over the public WebSocket.
package enum WebAssets {
    /// Light by default, dark by `prefers-color-scheme`; the accent comes from `theme.css` (per
    /// organization); status colours are the usual five, each with a word beside it.
    package static let css = """
        :root { --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --card: #f6f8fa;
          --ok: #1a7f37; --minor: #9a6700; --major: #bc4c00; --critical: #cf222e; --maint: #0969da; --none: #d1d9e0;
          --accent: #0969da; --on-status: #ffffff; }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --card: #151b23;
            --ok: #3fb950; --minor: #d29922; --major: #db6d28; --critical: #f85149; --maint: #4493f8; --none: #3d444d;
            --on-status: #0d1117; --accent: #4493f8; } }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 58rem; padding: 0 1rem 2rem; background: var(--bg); color: var(--fg);
          font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        a { color: var(--accent); }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; }
        .top { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: 1.25rem 0;
          border-bottom: 1px solid var(--line); flex-wrap: wrap; }
        .brand { display: flex; align-items: center; gap: .75rem; color: var(--fg); text-decoration: none;
          font-size: 1.5rem; font-weight: 600; }
        .logo { max-height: 2.5rem; max-width: 10rem; }
        .live { font-size: .85rem; color: var(--muted); }
        .live::before { content: "●"; margin-right: .35rem; color: var(--none); }
        .live[data-state="live"]::before { color: var(--ok); }
        .live[data-state="connecting"]::before { color: var(--minor); }
        .live[data-state="offline"]::before { color: var(--critical); }
        .banner { margin: 1.5rem 0; padding: 1rem 1.25rem; border-radius: .5rem; color: var(--on-status); font-size: 1.25rem;
          font-weight: 600; background: var(--ok); }
        .banner p { margin: 0; }
        .indicator-minor { background: var(--minor); } .indicator-major { background: var(--major); }
        .indicator-critical { background: var(--critical); } .indicator-maintenance { background: var(--maint); }
        h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; }
        h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
        .incident, .maintenance { background: var(--card); border: 1px solid var(--line); border-left: .3rem solid var(--minor);
          border-radius: .5rem; padding: 1rem; margin-bottom: 1rem; }
        .impact-major { border-left-color: var(--major); } .impact-critical { border-left-color: var(--critical); }
        .impact-none { border-left-color: var(--line); } .maintenance { border-left-color: var(--maint); }
        .meta { color: var(--muted); font-size: .9rem; margin: 0 0 .5rem; }
        .timeline { list-style: none; margin: 0; padding: 0; }
        .timeline li { padding: .5rem 0; border-top: 1px solid var(--line); overflow-wrap: anywhere; white-space: pre-line; }
        .timeline time { display: block; color: var(--muted); font-size: .85rem; }
        .services ul { list-style: none; margin: 0; padding: 0; border: 1px solid var(--line); border-radius: .5rem; }
        .section { margin-bottom: 1rem; }
        .group { color: var(--muted); font-size: .95rem; text-transform: uppercase; letter-spacing: .04em; }
        .service { padding: .85rem 1rem; border-top: 1px solid var(--line); }
        .service:first-child { border-top: 0; }
        .row { display: flex; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
        .name { font-weight: 600; overflow-wrap: anywhere; }
        .status::before { content: "●"; margin-right: .35rem; }
        .status-operational { color: var(--ok); } .status-degraded_performance { color: var(--minor); }
        .status-partial_outage { color: var(--major); } .status-major_outage { color: var(--critical); }
        .status-under_maintenance { color: var(--maint); }
        .bars { display: flex; gap: 2px; height: 2rem; margin-top: .5rem; }
        .bar { flex: 1; border-radius: 2px; background: var(--none); min-width: 1px; }
        .bar-operational { background: var(--ok); } .bar-degraded_performance { background: var(--minor); }
        .bar-partial_outage { background: var(--major); } .bar-major_outage { background: var(--critical); }
        .bar-under_maintenance { background: var(--maint); }
        .legend { display: flex; justify-content: space-between; color: var(--muted); font-size: .8rem; margin-top: .25rem; }
        .bottom { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--line); color: var(--muted); font-size: .9rem; }
        .bottom nav { display: flex; gap: 1rem; flex-wrap: wrap; }
        :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        @media (max-width: 480px) { .bars { gap: 1px; height: 1.6rem; } .brand { font-size: 1.2rem; } .banner { font-size: 1.05rem; } }

        """

    /// Follows the organization's public WebSocket and, on every frame after the page's own seq,
    /// fetches the page again and swaps its `<main>` in (the same server-rendered HTML, so no second
    /// renderer in JavaScript). Resumes by seq after a reconnect, backing off to 30 s; shows the
    /// connection in the header. Never builds HTML from frame data.
    package static let script = """
        (function () {
          "use strict";
          var body = document.body, slug = body.dataset.slug, seq = Number(body.dataset.seq) || 0;
          var live = document.getElementById("live");
          if (!slug || !live || !window.WebSocket) { return; }
          var retry = 1000, busy = false, again = false;
          function show(state, text) { live.dataset.state = state; live.textContent = text; }
          function refresh() {
            if (busy) { again = true; return; }
            busy = true;
            fetch(location.pathname + location.search, { headers: { "Accept": "text/html" }, cache: "no-cache" })
              .then(function (response) { return response.ok ? response.text() : null; })
              .then(function (text) {
                if (text === null) { return; }
                var next = new DOMParser().parseFromString(text, "text/html");
                var main = next.getElementById("page"), current = document.getElementById("page");
                if (main && current) { current.replaceWith(document.adoptNode(main)); }
                var nextSeq = Number(next.body.dataset.seq) || 0;
                if (nextSeq > seq) { seq = nextSeq; }
              })
              .catch(function () {})
              .then(function () { busy = false; if (again) { again = false; refresh(); } });
          }
          function connect() {
            var scheme = location.protocol === "https:" ? "wss://" : "ws://";
            var socket = new WebSocket(scheme + location.host + "/ws/" + encodeURIComponent(slug) + "?since=" + seq);
            show("connecting", "Connecting…");
            socket.onopen = function () { retry = 1000; show("live", "Live"); };
            socket.onmessage = function (event) {
              var frame;
              try { frame = JSON.parse(event.data); } catch (error) { return; }
              if (frame.type === "pong" || frame.type === "subscribed") { return; }
              if (frame.type === "hello") { if ((frame.seq || 0) > seq) { refresh(); } return; }
              if (typeof frame.seq === "number" && frame.seq <= seq) { return; }
              if (typeof frame.seq === "number") { seq = frame.seq; }
              refresh();
            };
            socket.onclose = function () {
              show("offline", "Reconnecting…");
              setTimeout(connect, retry);
              retry = Math.min(retry * 2, 30000);
            };
          }
          connect();
        })();

        """
}
