public import Foundation  // Date is what the clock answers.
import Synchronization

/// The time and the identifiers the server draws: the system's clock and random source, or, in a
/// test that records answers byte for byte (`Tests/Golden`), a frozen instant and a seeded sequence.
///
/// One place for both, so that a test switch can make a whole process repeatable without a clock
/// parameter threaded through every route. Only `statusd serve` freezes it, from a test-only
/// environment variable; nothing else may call `freeze`.
public enum WallClock {
    private static let frozen = Mutex<Frozen?>(nil)
    /// Read first, so that an ordinary process (never frozen) takes no lock to read the time: the
    /// page's fast path asks for it on every read.
    private static let isFrozen = Atomic<Bool>(false)

    private struct Frozen {
        let instant: Date
        var state: UInt64
    }

    /// Now: the system's time, or the frozen instant.
    public static func now() -> Date {
        guard isFrozen.load(ordering: .acquiring) else { return Date() }
        return frozen.withLock { $0?.instant } ?? Date()
    }

    /// Stops the clock at `instant` and makes identifiers a sequence seeded by it, for the rest of the
    /// process. Test-only.
    public static func freeze(at instant: Date) {
        frozen.withLock { $0 = Frozen(instant: instant, state: UInt64(instant.timeIntervalSince1970)) }
        isFrozen.store(true, ordering: .releasing)
    }

    /// 128 bits for an identifier: random, or the next of the frozen sequence (SplitMix64, so the
    /// values are spread like random ones and sort in no particular order).
    static func identifierBits() -> (UInt64, UInt64) {
        let sequenced: (UInt64, UInt64)? =
            !isFrozen.load(ordering: .acquiring)
            ? nil
            : frozen.withLock { frozen in
                guard frozen != nil else { return nil }
                return (splitMix(&frozen!.state), splitMix(&frozen!.state))
            }
        if let sequenced { return sequenced }
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
