import Engine
import Persistence
import Testing

/// How far a node says it trails the log it follows, on a clock the test moves.
@Suite struct FollowLagTests {
    let start = ContinuousClock.now

    /// Reads every 300 ms from `from` through `through`, each reaching the end of the log if `reaching`.
    func polls(_ lag: FollowLag, from: Int, through: Int, reaching: Bool) {
        for milliseconds in stride(from: from, through: through, by: 300) {
            lag.reading(at: start + .milliseconds(milliseconds))
            if reaching { lag.caughtUp(asOf: start + .milliseconds(milliseconds)) }
        }
    }

    @Test func secondsBehind_countFromTheStartOfTheLastReadThatReachedTheEnd() {
        let lag = FollowLag(cursor: LogPosition(10))
        lag.reading(at: start)
        lag.looked(atHead: 14)
        #expect(lag.report(now: start).positions == 5, "positions 10...14 not applied")
        lag.applied(through: LogPosition(15))
        lag.caughtUp(asOf: start)
        #expect(lag.report(now: start + .milliseconds(100)).positions == 0)
        #expect(lag.report(now: start + .milliseconds(100)).cursor == 15)
        // Cut off: reads start every 300 ms and fail.
        polls(lag, from: 300, through: 3_000, reaching: false)
        #expect(lag.report(now: start + .milliseconds(3_100)).seconds >= 3, "no read reached the end for 3 s")
        polls(lag, from: 3_300, through: 3_300, reaching: true)
        #expect(lag.report(now: start + .milliseconds(3_400)).seconds < 0.5, "caught up again")
    }

    @Test func aStallBetweenReads_isReportedForAWhileAfter_evenOnceCaughtUp() {
        let lag = FollowLag(cursor: LogPosition(1))
        polls(lag, from: 0, through: 1_200, reaching: true)
        #expect(lag.report(now: start + .milliseconds(1_300)).seconds < 0.5, "reads every 300 ms: not behind")
        // Paused for 10 s; the first read after it catches up at once.
        polls(lag, from: 11_200, through: 11_200, reaching: true)
        #expect(
            lag.report(now: start + .milliseconds(11_210)).seconds >= 10, "the answers racing the catch-up say behind")
        polls(lag, from: 11_500, through: 13_300, reaching: true)
        #expect(lag.report(now: start + .milliseconds(13_400)).seconds < 0.5, "then not, once the stall is 2 s old")
    }
}
