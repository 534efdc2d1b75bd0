import Foundation

/// `GET /status/{slug}/embed.js`: what a customer puts on their own site
/// (`<script src="https://status.example.com/status/acme/embed.js" async></script>`) to show a small
/// banner while an incident or maintenance is active. It reads the public summary (public reads allow
/// any origin), follows `/ws/{slug}` to refetch it when something changes, and reconnects with backoff.
/// The same bytes serve every organization (the script finds its slug in its own URL); every text it
/// shows goes through `textContent`, never HTML. Hand-written: a few dozen lines need no build step.
package enum EmbedScript {
    package static let source = String(decoding: PackageResources.embed_js, as: UTF8.self)
}
