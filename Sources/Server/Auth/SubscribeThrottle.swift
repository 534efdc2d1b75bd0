import Engine
package import Foundation
import Synchronization

/// Bounds the public subscribe form, which mails an address anyone may type: per client address (one
/// machine filling the form in a loop), per email address over every organization (so one victim
/// cannot be subscribed to every tenant's page, or mailed a confirmation link a minute), and per
/// organization (a page cannot be made to mail thousands at once). Fixed windows, counted in this
/// process (a cluster's nodes each count their own: a limit is per node). The table is bounded.
package final class SubscribeThrottle: Sendable {
    package struct Policy: Sendable {
        package var perAddress = 20
        package var perAddressWindow: TimeInterval = 3_600
        package var perEmail = 5
        package var perEmailWindow: TimeInterval = 86_400
        package var perOrganization = 1_000
        package var perOrganizationWindow: TimeInterval = 3_600
        package var keysMax = 100_000

        package init() {}
    }

    private struct Window {
        var start: Date
        var count: Int
    }

    private let policy: Policy
    private let windows = Mutex<[String: Window]>([:])

    package init(policy: Policy = Policy()) { self.policy = policy }

    /// Counts one request; the seconds until the first full window ends when any limit is reached
    /// (nothing is counted then), else nil.
    package func admit(email: String, address: String, organization: String, now: Date = WallClock.now()) -> Int? {
        let limits = [
            ("a\u{0}" + address, policy.perAddress, policy.perAddressWindow),
            ("e\u{0}" + email.lowercased(), policy.perEmail, policy.perEmailWindow),
            ("o\u{0}" + organization, policy.perOrganization, policy.perOrganizationWindow),
        ]
        return windows.withLock { windows in
            var wait: TimeInterval? = nil
            for (key, limit, length) in limits {
                guard let window = windows[key], now.timeIntervalSince(window.start) < length else { continue }
                if window.count >= limit {
                    wait = max(wait ?? 0, window.start.addingTimeInterval(length).timeIntervalSince(now))
                }
            }
            if let wait { return max(1, Int(wait.rounded(.up))) }
            for (key, _, length) in limits {
                if var window = windows[key], now.timeIntervalSince(window.start) < length {
                    window.count += 1
                    windows[key] = window
                } else {
                    windows[key] = Window(start: now, count: 1)
                }
            }
            if windows.count > policy.keysMax {
                // The oldest windows first: they are the nearest to ending anyway.
                let oldest = windows.sorted { $0.value.start < $1.value.start }.prefix(windows.count / 10)
                for (key, _) in oldest { windows.removeValue(forKey: key) }
            }
            return nil
        }
    }
}
