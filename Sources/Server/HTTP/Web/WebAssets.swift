/// The public pages' stylesheet and script, served from `/static/` with a content ETag
/// (`StaticBytes`). Plain CSS and JavaScript, no build step: the pages are complete without the
/// script, which only keeps them current over the public WebSocket.
package enum WebAssets {
    /// Light by default, dark by `prefers-color-scheme`; the accent comes from `theme.css` (per
    /// organization); status colours are the usual five, each with a word beside it.
    package static let css = String(decoding: PackageResources.status_css, as: UTF8.self)

    /// Follows the organization's public WebSocket and, on every frame after the page's own seq,
    /// fetches the page again and swaps its `<main>` in (the same server-rendered HTML, so no second
    /// renderer in JavaScript). Resumes by seq after a reconnect, backing off to 30 s; shows the
    /// connection in the header. Never builds HTML from frame data.
    package static let script = String(decoding: PackageResources.status_js, as: UTF8.self)
}
