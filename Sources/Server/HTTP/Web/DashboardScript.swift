/// The admin dashboard: one plain-JavaScript page (no build step) over the HTTP API, signed in with
/// the HttpOnly session cookie and sending `X-CSRF-Token` on every change. It builds the DOM with
/// `textContent` only (no HTML from data), shows each validation error beside its field (the
/// problem's `errors[].field`), and follows the authenticated WebSocket to refresh what it shows.
package enum DashboardScript {
    package static let source = String(decoding: PackageResources.dashboard_js, as: UTF8.self)
}
