import Engine
package import Foundation
package import HTTPTypes
import Synchronization
import Wire

extension HTTPFields {
    /// What the router's path adds to every answer, for the handlers below it (`PublicReadFastPath`,
    /// `LiveFeedHandler`): `X-Request-ID` (the caller's when sane), `Date` and `Server`.
    package mutating func addAnswerFields(for request: HTTPRequest, server: String) {
        self[.xRequestID] =
            request.headerFields[.xRequestID].flatMap { RequestIDs.isAcceptable($0) ? $0 : nil }
            ?? RequestIDs.next()
        self[.date] = HTTPDateCache.now()
        self[.server] = server
    }
}

/// Request ids for the handlers below the router: 15 characters (a small string: no allocation), a random prefix per
/// process and a counter, so that ids differ across restarts and requests.
package enum RequestIDs {
    private static let counter = Atomic<UInt64>(0)
    private static let prefix = UInt64.random(in: 0..<(1 << 25))
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    /// 1 to 128 visible ASCII characters: nothing that could forge a log line or a header.
    package static func isAcceptable(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    package static func next() -> String {
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
package enum HTTPDateCache {
    private static let cached = Mutex<(second: Int, text: String)>((-1, ""))

    package static func now() -> String {
        let second = Int(WallClock.now().timeIntervalSince1970)
        if let hit = cached.withLock({ $0.second == second ? $0.text : nil }) { return hit }
        let text = HTTPDate.format(Date(timeIntervalSince1970: Double(second)))
        cached.withLock { $0 = (second, text) }
        return text
    }
}

/// HTTP's date format.
package enum HTTPDate {
    /// An IMF-fixdate, the only date format HTTP headers send.
    package static func format(_ date: Date) -> String {
        date.formatted(
            Date.VerbatimFormatStyle(
                format:
                    "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .padded(4)) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
                locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
    }
}
