public import Engine
import Synchronization

/// How far a node trails a shared log it follows (cluster mode), kept by the node's follower and read
/// by `/ready`, `/health` and `/metrics`.
///
/// Seconds behind are counted from the start of the last read that reached the end of the log, not
/// from the last event: an idle log costs nothing (each poll reaches the end), and a node that was
/// cut off from the database reports itself behind on its first answer after.
///
/// A node that stalled (paused with SIGSTOP, starved of CPU, swapped out) resumes with its follower
/// and its HTTP answers racing: the follower may catch up before the first answer is written. So a
/// gap between two reads longer than `stallNoticed` counts as that many seconds behind for `stallKept`
/// after it ended: whichever runs first, the first answers after a stall say the node was behind.
public final class FollowLag: Sendable {
    public struct Report: Sendable, Encodable {
        /// The position of the next event the node will read.
        public let cursor: UInt64
        /// Events in the log the node had not applied when it last looked at the log's head.
        public let positions: UInt64
        /// Seconds since the node last knew itself caught up.
        public let seconds: Double
    }

    private struct State {
        var cursor: LogPosition
        var head: UInt64 = 0
        var caughtUp: ContinuousClock.Instant
        /// When the last read started; nil before the first.
        var lastRead: ContinuousClock.Instant?
        /// The last gap between reads longer than `stallNoticed`, and when it ended.
        var stall: (length: Duration, ended: ContinuousClock.Instant)?
    }

    /// Reads follow each other within a poll interval (a few hundred ms) while the node runs.
    static let stallNoticed = Duration.seconds(1)
    static let stallKept = Duration.seconds(2)

    private let state: Mutex<State>

    /// - Parameter cursor: where following starts (the position after the last event recovered), which
    ///   counts as caught up now: recovery just read to the end.
    public init(cursor: LogPosition) {
        state = Mutex(State(cursor: cursor, caughtUp: .now))
    }

    /// A read starts (before it contacts the log): notes a stall since the last one.
    public func reading(at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            if let last = state.lastRead, now - last > Self.stallNoticed { state.stall = (now - last, now) }
            state.lastRead = now
        }
    }

    /// The log's head as a read found it: the last position the log has handed out.
    public func looked(atHead head: UInt64) {
        state.withLock { $0.head = head }
    }

    /// Events before `cursor` are applied.
    public func applied(through cursor: LogPosition) {
        state.withLock { $0.cursor = cursor }
    }

    /// A read that started at `started` found nothing more after the cursor.
    public func caughtUp(asOf started: ContinuousClock.Instant) {
        state.withLock { $0.caughtUp = max($0.caughtUp, started) }
    }

    public var cursor: LogPosition { state.withLock { $0.cursor } }

    public func report(now: ContinuousClock.Instant = .now) -> Report {
        state.withLock { state in
            let behind = state.head >= state.cursor.rawValue ? state.head - state.cursor.rawValue + 1 : 0
            var behindFor = now - state.caughtUp
            if let stall = state.stall, now - stall.ended < Self.stallKept { behindFor = max(behindFor, stall.length) }
            let seconds = Double(behindFor.components.seconds) + Double(behindFor.components.attoseconds) / 1e18
            return Report(cursor: state.cursor.rawValue, positions: behind, seconds: max(0, seconds))
        }
    }
}
