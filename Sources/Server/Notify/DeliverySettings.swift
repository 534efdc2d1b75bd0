import Engine
package import Foundation

/// How the deliverer paces itself; every schedule is a setting, so tests run an hour of retries in
/// seconds.
package struct DeliverySettings: Sendable {
    /// The server's public address, for links in notifications (`--public-url`).
    package var publicURL: String
    /// Requests in flight at once.
    package var concurrency = 64
    /// Recipients per durable progress mark: after a crash, at most this many are sent again.
    package var batch = 256
    /// The first retry waits this long; each next one twice as long (with ±20% jitter). With 7.5 s and
    /// 10 attempts the last failure comes about an hour after the first, Statuspage's budget.
    package var retryBase: TimeInterval = 7.5
    /// Failed attempts before a subscriber is quarantined.
    package var attempts = 10
    /// When the mail server cannot be used, mail pauses as long as a first retry waits, twice as long
    /// each time the server is still away, up to 40 times that: 7.5 s to 5 minutes (`MailServerBreaker`).
    var mailPause: TimeInterval { retryBase }
    var mailPauseLongest: TimeInterval { retryBase * 40 }
    /// The time the mail pauses are measured by; tests move it by hand.
    package var clock: @Sendable () -> Date = { WallClock.now() }

    package init(publicURL: String) { self.publicURL = publicURL }

    /// The wait before attempt `attempt + 1`, after `attempt` failures.
    func backoff(after attempt: Int) -> TimeInterval {
        retryBase * pow(2, Double(max(0, attempt - 1))) * Double.random(in: 0.8...1.2)
    }
}
