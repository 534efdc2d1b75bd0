import CompressNIO
package import Engine
import Foundation
package import HTTPTypes
package import Hummingbird
import Live
package import NIOCore
import Wire

/// How public reads are cached by browsers and proxies (docs/RULES.md "Caching of public reads": ETag, Last-Modified, Cache-Control,
/// 304 on If-None-Match).
package struct CachePolicy: Sendable {
    /// The `Cache-Control` value, built once rather than on every read.
    package let cacheControl: String

    package init(maxAge: Int, staleWhileRevalidate: Int) {
        cacheControl = "public, max-age=\(maxAge), stale-while-revalidate=\(staleWhileRevalidate)"
    }
}

/// Answers a public read from a view's memoised bytes: rendered on the first read of a view, then
/// handed out as the same `ByteBuffer` (no copy, no encoding) until the next durable change. A client
/// that accepts gzip gets the gzip variant, compressed once per view as well, under its own ETag
/// (`...-gz"`), since it is a different representation (RFC 9110 §8.8.3).
package struct CachedRepresentation: Sendable {
    package let policy: CachePolicy

    /// What a read answers: 200 with the bytes, or 304 without; the headers either way.
    package struct Answer {
        package let status: HTTPResponse.Status
        package var headers: HTTPFields
        package let body: ByteBuffer?
    }

    /// - Parameters:
    ///   - key: the representation's name in the memo (one per format and variant).
    ///   - render: makes the bytes from the view; runs once per view and key.
    ///   - variant: told apart in the ETag, for representations that change without a new view (the
    ///     uptime's day); empty for those that change only with the view.
    package func respond(
        to request: Request, view: OrgView, key: String, contentType: String, variant: String = "",
        render: (OrgView) throws -> ByteBuffer
    ) throws -> Response {
        let answer = try self.answer(
            ifNoneMatch: request.headers[.ifNoneMatch], acceptEncoding: request.headers[.acceptEncoding], view: view,
            key: key, contentType: contentType, variant: variant, render: render)
        return Response(
            status: answer.status, headers: answer.headers, body: answer.body.map { .init(byteBuffer: $0) } ?? .init())
    }

    /// The answer to a read with these two request headers; shared by the router's path and the
    /// fast path below it (`PublicReadFastPath`), so both answer the same bytes and headers.
    package func answer(
        ifNoneMatch: String?, acceptEncoding: String?, view: OrgView, key: String, contentType: String,
        variant: String = "", render: (OrgView) throws -> ByteBuffer
    ) throws -> Answer {
        let gzip = Self.acceptsGzip(acceptEncoding)
        let etag = Self.etag(of: view, variant: variant, gzip: gzip)
        var headers = HTTPFields()
        headers[.eTag] = etag
        headers[.cacheControl] = policy.cacheControl
        headers[.lastModified] = view.memo.text("last-modified") { HTTPDate.format(view.state.updatedAt) }
        headers[.vary] = "Accept-Encoding"
        if let condition = ifNoneMatch, Self.matches(condition, etag: etag) {
            return Answer(status: .notModified, headers: headers, body: nil)
        }
        let plain = try view.memo.bytes(key) { try render(view) }
        headers[.contentType] = contentType
        guard gzip else { return Answer(status: .ok, headers: headers, body: plain) }
        let compressed = try view.memo.bytes(key + ".gz") {
            var source = plain
            return try source.compress(with: .gzip())
        }
        headers[.contentEncoding] = "gzip"
        return Answer(status: .ok, headers: headers, body: compressed)
    }

    /// The strong ETag of a view's representation, made once per view (and variant), not per read;
    /// the common case (no variant) builds no key string on the read path.
    private static func etag(of view: OrgView, variant: String, gzip: Bool) -> String {
        // Only when a memo misses: building it is what the memo saves.
        func base() -> String { "\(view.id.rawValue)-\(view.publicSeq.rawValue)" }
        guard !variant.isEmpty else {
            return gzip
                ? view.memo.text("etag-gz") { "\"\(base())-gz\"" } : view.memo.text("etag") { "\"\(base())\"" }
        }
        return gzip
            ? view.memo.text("etag-\(variant)-gz") { "\"\(base())-\(variant)-gz\"" }
            : view.memo.text("etag-\(variant)") { "\"\(base())-\(variant)\"" }
    }

    /// Whether `Accept-Encoding` allows gzip (`gzip` or `*`, without `q=0`).
    package static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "*" else { return false }
            let weight = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return weight > 0
        }
    }

    /// Whether an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 asks for GET).
    package static func matches(_ condition: String, etag: String) -> Bool {
        condition.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == etag || trimmed == "W/" + etag
        }
    }

    package init(policy: CachePolicy) {
        self.policy = policy
    }
}
