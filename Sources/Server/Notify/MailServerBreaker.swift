package import Foundation

/// Whether mail may be tried now.
///
/// When the operator's mail server cannot be used (down, unreachable, silent, refusing the login),
/// every mail would wait out the connect timeout and fail the same way: 100,000 mails × 10 s over 16
/// connections is hours of a lane stuck, and counting those failures against subscribers would
/// quarantine every address for the server's fault. So the first such failure opens this breaker:
/// mail pauses (nothing is marked past the last mail that went out, nobody's attempts are counted),
/// and is tried again after a pause that doubles while the server stays away, up to `longest`. A mail
/// that goes through closes it.
package struct MailServerBreaker: Sendable {
    let first: TimeInterval
    let longest: TimeInterval
    /// Until when mail waits; nil while the server is thought reachable.
    package private(set) var pausedUntil: Date?
    /// Why, as the mail server last said.
    package private(set) var reason: String?
    private var nextPause: TimeInterval

    package init(first: TimeInterval, longest: TimeInterval) {
        self.first = first
        self.longest = max(first, longest)
        nextPause = first
    }

    /// Whether a mail may be tried at `now`; after a pause, the next mails probe the server.
    package func admits(at now: Date) -> Bool { pausedUntil.map { now >= $0 } ?? true }

    /// A mail found the server unavailable at `now`: pause (the first of several failures of one probe
    /// counts; the others come from mails already in flight).
    package mutating func unavailable(at now: Date, _ why: String) {
        guard admits(at: now) else { return }
        pausedUntil = now + nextPause
        reason = why
        nextPause = min(nextPause * 2, longest)
    }

    /// A mail went through (or the server answered about one address): the server is back.
    package mutating func reached() {
        pausedUntil = nil
        reason = nil
        nextPause = first
    }
}
