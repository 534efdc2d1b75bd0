package import Foundation
import HashTreeCollections

/// The keyed commands an organization remembers, built by `evolve` from `commandKeyed` events so that
/// every node and every restart sees the same: kept for a day after they were applied, and at most
/// `keyedCommandsMax` of them (the oldest go first), so a snapshot stays small.
extension OrgState {
    /// A day, as Stripe keeps its idempotency keys: longer than any client retries one request.
    package static let keyedCommandsKept: TimeInterval = 24 * 3600
    package static let keyedCommandsMax = 10_000

    /// A `commandKeyed` event opens an entry; the events it counts fill it.
    mutating func rememberKeyed(_ event: OrgEvent) {
        if case .commandKeyed(let key, let count) = event.change {
            forgetKeyed(before: event.at.addingTimeInterval(-Self.keyedCommandsKept))
            keyedCommands[key.key] = KeyedCommand(fingerprint: key.fingerprint, at: event.at, events: [])
            keyedCommandFilling = count > 0 ? KeyedCommandFilling(key: key.key, remaining: count) : nil
            return
        }
        guard var filling = keyedCommandFilling else { return }
        keyedCommands[filling.key]?.events.append(event)
        filling.remaining -= 1
        keyedCommandFilling = filling.remaining > 0 ? filling : nil
    }

    private mutating func forgetKeyed(before cutoff: Date) {
        var expired = keyedCommands.filter { $0.value.at < cutoff }.map(\.key)
        if keyedCommands.count - expired.count >= Self.keyedCommandsMax {
            let oldest = keyedCommands.filter { $0.value.at >= cutoff }.sorted { $0.value.at < $1.value.at }
            expired += oldest.prefix(keyedCommands.count - expired.count - Self.keyedCommandsMax + 1).map(\.key)
        }
        for key in expired { keyedCommands[key] = nil }
    }
}

/// The keyed command whose events `evolve` is still adding: a `commandKeyed` event counts them.
public struct KeyedCommandFilling: Hashable, Sendable {
    public let key: String
    public var remaining: Int

    package init(key: String, remaining: Int) {
        self.key = key
        self.remaining = remaining
    }
}
