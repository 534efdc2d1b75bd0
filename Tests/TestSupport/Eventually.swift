import Testing

/// Polls `condition` every 50 ms until it holds or `seconds` have passed: a test waits for the state
/// it needs, never for a fixed time. A condition that throws counts as not holding yet (a server still
/// starting refuses connections).
/// - Parameter what: when given, an issue naming it is recorded if the condition never held.
/// - Returns: whether it held.
@discardableResult
public func eventually(
    _ what: String? = nil, within seconds: Double = 30, _ condition: () async throws -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    if let what { Issue.record("waited \(seconds) s for \(what)") }
    return false
}
