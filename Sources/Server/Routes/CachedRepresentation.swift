import Engine
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// How public reads are cached by browsers and proxies (API.md: ETag, Last-Modified, Cache-Control,
/// 304 on If-None-Match).
struct CachePolicy: Sendable {
    /// The `Cache-Control` value, built once rather than on every read.
    let cacheControl: String

    init(maxAge: Int, staleWhileRevalidate: Int) {
        cacheControl = "public, max-age=\(maxAge), stale-while-revalidate=\(staleWhileRevalidate)"
    }
}

/// Answers a public read from a view's memoised bytes: rendered on the first read of a view, then
/// handed out as the same `ByteBuffer` (no copy, no encoding) until the next durable change.
struct CachedRepresentation: Sendable {
    let policy: CachePolicy

    /// - Parameters:
    ///   - key: the representation's name in the memo (one per format and variant).
    ///   - render: makes the bytes from the view; runs once per view and key.
    func respond(
        to request: Request, view: OrgView, key: String, contentType: String,
        render: (OrgView) throws -> ByteBuffer
    ) rethrows -> Response {
        // Both are made once per view, not per read.
        let etag = view.memo.text("etag") { "\"\(view.id.rawValue)-\(view.publicSeq.rawValue)\"" }
        var headers = HTTPFields()
        headers[.eTag] = etag
        headers[.cacheControl] = policy.cacheControl
        headers[.lastModified] = view.memo.text("last-modified") { Self.httpDate(view.state.updatedAt) }
        headers[.vary] = "Accept-Encoding"
        if let condition = request.headers[.ifNoneMatch], Self.matches(condition, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        let bytes = try view.memo.bytes(key) { try render(view) }
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }

    /// Whether an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 asks for GET).
    static func matches(_ condition: String, etag: String) -> Bool {
        condition.split(separator: ",").contains { candidate in
            let trimmed = candidate.trimmingCharacters(in: .whitespaces)
            return trimmed == "*" || trimmed == etag || trimmed == "W/" + etag
        }
    }

    /// An IMF-fixdate, the only date format HTTP headers send.
    static func httpDate(_ date: Date) -> String {
        date.formatted(
            Date.VerbatimFormatStyle(
                format:
                    "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .padded(4)) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
                locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
    }
}
