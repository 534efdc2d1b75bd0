import Engine
import Foundation
import HTTPTypes
import Synchronization

extension HTTPFields {
    /// What the router's path adds to every answer, for the handlers below it (`PublicReadFastPath`,
    /// `LiveFeedHandler`): `X-Request-ID` (the caller's when sane), `Date` and `Server`.
    mutating func addAnswerFields(for request: HTTPRequest, server: String) {
        self[.xRequestID] =
            request.headerFields[.xRequestID].flatMap { RequestLogMiddleware.isAcceptable($0) ? $0 : nil }
            ?? RequestIDs.next()
        self[.date] = HTTPDateCache.now()
        self[.server] = server
    }
}

/// Request ids for the handlers below the router: 15 characters (a small string: no allocation), a random prefix per
/// process and a counter, so that ids differ across restarts and requests.
enum RequestIDs {
    private static let counter = Atomic<UInt64>(0)
    private static let prefix = UInt64.random(in: 0..<(1 << 25))
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    static func next() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        // 5 characters of prefix and 10 of counter, 5 bits each.
        let value = (prefix << 50) | (count & ((1 << 50) - 1))
        return String(unsafeUninitializedCapacity: 15) { buffer in
            for index in 0..<15 { buffer[index] = alphabet[Int((value >> (5 * UInt64(14 - index))) & 31)] }
            return 15
        }
    }
}

/// The `Date` header, formatted once per second rather than per answer.
enum HTTPDateCache {
    private static let cached = Mutex<(second: Int, text: String)>((-1, ""))

    static func now() -> String {
        let second = Int(WallClock.now().timeIntervalSince1970)
        if let hit = cached.withLock({ $0.second == second ? $0.text : nil }) { return hit }
        let text = CachedRepresentation.httpDate(Date(timeIntervalSince1970: Double(second)))
        cached.withLock { $0 = (second, text) }
        return text
    }
}
