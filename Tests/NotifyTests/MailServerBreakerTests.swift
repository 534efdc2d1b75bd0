import Foundation
import Testing

@testable import Notify

/// The mail breaker's schedule on explicit times: a pause after the server is found away, doubling
/// while it stays away, never longer than the longest, and over at the first mail that goes through.
@Suite struct MailServerBreakerTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aFailure_pausesMail_thenTheNextTryIsAllowed() {
        var breaker = MailServerBreaker(first: 5, longest: 300)
        #expect(breaker.admits(at: start))
        breaker.unavailable(at: start, "could not connect")
        #expect(!breaker.admits(at: start + 4.9))
        #expect(breaker.admits(at: start + 5))
        #expect(breaker.reason == "could not connect")
    }

    @Test func failuresOfMailsAlreadyInFlight_doNotLengthenThePause() {
        var breaker = MailServerBreaker(first: 5, longest: 300)
        breaker.unavailable(at: start, "timeout")
        for second in 1...4 { breaker.unavailable(at: start + Double(second), "timeout") }
        #expect(breaker.pausedUntil == start + 5)
    }

    @Test func theServerStayingAway_doublesThePause_upToTheLongest() throws {
        var breaker = MailServerBreaker(first: 5, longest: 30)
        var now = start
        var pauses: [TimeInterval] = []
        for _ in 1...5 {
            breaker.unavailable(at: now, "refused")
            let until = try #require(breaker.pausedUntil)
            pauses.append(until.timeIntervalSince(now))
            now = until
        }
        #expect(pauses == [5, 10, 20, 30, 30])
    }

    @Test func aMailThatGoesThrough_endsThePause_andTheNextPauseStartsShortAgain() {
        var breaker = MailServerBreaker(first: 5, longest: 300)
        breaker.unavailable(at: start, "refused")
        breaker.unavailable(at: start + 5, "refused")
        breaker.reached()
        #expect(breaker.admits(at: start + 6))
        #expect(breaker.reason == nil)
        breaker.unavailable(at: start + 6, "refused")
        #expect(breaker.pausedUntil == start + 11)
    }
}
