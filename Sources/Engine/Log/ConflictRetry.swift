/// How a writer of a shared log (an `OrgActor`, the `Directory`) submits a command: decide and append;
/// when another writer moved the stream first, set back, catch up from the log and decide again, for
/// as long as other writers keep getting there first: at least `attempts` times and for `patience`
/// after the first refusal (not after the submit: an append that waited out a database failover and
/// then met its own earlier events still gets its retries); so a command that still applies succeeds
/// and one that no longer does answers as `decide` says. Each attempt costs two round trips, so under
/// two nodes writing one stream flat out it lands within a few; the bound only ends a livelock. An
/// unreachable log answers `.unavailable` at once.
enum ConflictRetry {
    static let patience = Duration.seconds(3)
    static let attempts = 5

    /// - Throws: what `attempt` throws; `EngineError.conflict` when other writers won every attempt
    ///   for `patience`; `.unavailable` for a log that cannot be reached.
    static func submit<Value>(
        _ subject: String, isolation: isolated (any Actor)? = #isolation, attempt: () async throws -> Value,
        setBack: () async -> Void, catchUp: () async throws -> Void
    ) async throws -> Value {
        var deadline: ContinuousClock.Instant?
        var refusals = 0
        while true {
            do {
                return try await attempt()
            } catch let refusal as AppendRefused {
                await setBack()
                guard refusal.reason == .conflict else {
                    throw EngineError(.unavailable, "writes are paused: \(refusal.detail)")
                }
                refusals += 1
                let giveUpAt = deadline ?? ContinuousClock.now + patience
                deadline = giveUpAt
                guard refusals < attempts || ContinuousClock.now < giveUpAt else {
                    throw EngineError(.conflict, "\(subject) is being changed by other writers; try again")
                }
            }
            do {
                try await catchUp()
            } catch let refusal as AppendRefused {
                throw EngineError(.unavailable, "writes are paused: \(refusal.detail)")
            }
        }
    }
}
