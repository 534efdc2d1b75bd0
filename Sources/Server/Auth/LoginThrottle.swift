import Engine
package import Foundation
import Synchronization
import Wire

/// Slows password guessing at `POST /api/auth/login` (and sign-up's password, which does not guess
/// anything and is not throttled). Failures are counted per (email, client address) and per client
/// address, never per email alone: a throttle keyed on the email would let anyone lock the owner out
/// from everywhere by failing on purpose. After `freeFailures` failures a key must wait, doubling from
/// one second up to `waitMax`; a success clears its (email, address) key. API keys never log in, so
/// they are never throttled. The table is bounded (`keysMax`, the stalest dropped first).
package final class LoginThrottle: Sendable {
    package struct Policy: Sendable {
        /// Failures a pair may make before it waits.
        package var pairFreeFailures = 5
        /// Failures an address may make, over every email, before it waits.
        package var addressFreeFailures = 30
        package var waitMax: TimeInterval = 15 * 60
        /// After this long without a failure, a key starts over.
        package var forgetAfter: TimeInterval = 60 * 60
        package var keysMax = 100_000
    }

    private struct Record {
        package var failures: Int
        package var last: Date
        package var blockedUntil: Date
    }

    private let policy: Policy
    private let records = Mutex<[String: Record]>([:])

    package init(policy: Policy = Policy()) { self.policy = policy }

    /// Seconds the caller must wait before trying this email from this address; nil when it may try.
    package func wait(email: String, address: String, now: Date = WallClock.now()) -> Int? {
        let keys = [Self.pairKey(email, address), Self.addressKey(address)]
        let until = records.withLock { records in
            keys.compactMap { key -> Date? in
                guard let record = records[key], now.timeIntervalSince(record.last) < policy.forgetAfter else {
                    return nil
                }
                return record.blockedUntil > now ? record.blockedUntil : nil
            }.max()
        }
        return until.map { max(1, Int($0.timeIntervalSince(now).rounded(.up))) }
    }

    package func failed(email: String, address: String, now: Date = WallClock.now()) {
        records.withLock { records in
            record(Self.pairKey(email, address), free: policy.pairFreeFailures, now: now, in: &records)
            record(Self.addressKey(address), free: policy.addressFreeFailures, now: now, in: &records)
            if records.count > policy.keysMax { Self.dropStalest(&records, keeping: policy.keysMax * 9 / 10) }
        }
    }

    package func succeeded(email: String, address: String) {
        _ = records.withLock { $0.removeValue(forKey: Self.pairKey(email, address)) }
    }

    private func record(_ key: String, free: Int, now: Date, in records: inout [String: Record]) {
        var record = records[key] ?? Record(failures: 0, last: now, blockedUntil: .distantPast)
        if now.timeIntervalSince(record.last) >= policy.forgetAfter { record.failures = 0 }
        record.failures += 1
        record.last = now
        if record.failures >= free {
            let doublings = min(record.failures - free, 20)
            record.blockedUntil = now.addingTimeInterval(min(policy.waitMax, Double(1 << doublings)))
        }
        records[key] = record
    }

    private static func dropStalest(_ records: inout [String: Record], keeping count: Int) {
        let stalest = records.sorted { $0.value.last < $1.value.last }.prefix(records.count - count)
        for (key, _) in stalest { records.removeValue(forKey: key) }
    }

    private static func pairKey(_ email: String, _ address: String) -> String {
        "p\u{0}\(email.lowercased())\u{0}\(address)"
    }
    private static func addressKey(_ address: String) -> String { "a\u{0}\(address)" }
}
