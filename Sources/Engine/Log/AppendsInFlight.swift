/// What a writer of a shared log (`OrgActor`, `Directory`) keeps to set itself back after a refused
/// append: how many appends are in flight, the refused ones waiting for all of them to be answered,
/// whether its working state holds events that did not land, and whether it is catching up (then no
/// command is decided: one decided on the stale state would only be refused again, and with a command
/// always in flight the catch-up would never find a moment to apply). Kept by the actor; never shared.
struct AppendsInFlight {
    private var appends = CountWaiters()
    private var catchUps = CountWaiters()
    /// Set by a refused append; taken by the first `setBack` that runs after it.
    var refused = false

    var count: Int { appends.count }

    /// Whether a decision must wait (`waitToDecide`) for a catch-up under way.
    var mustWaitToDecide: Bool { catchUps.count > 0 }

    mutating func waitToDecide(_ decider: CheckedContinuation<Void, Never>) { catchUps.waitForZero(decider) }

    mutating func beginCatchUp() { catchUps.increment() }

    mutating func endCatchUp() { catchUps.decrement() }

    mutating func started() { appends.increment() }

    /// One append answered; wakes the waiters once none is left.
    mutating func finished() { appends.decrement() }

    /// Resumed once every append in flight is answered.
    mutating func wait(_ waiter: CheckedContinuation<Void, Never>) { appends.waitForZero(waiter) }

    /// Whether a refusal is waiting to be set back, clearing it.
    mutating func takeRefusal() -> Bool {
        defer { refused = false }
        return refused
    }
}

/// A count, and the continuations waiting for it to come back to zero.
private struct CountWaiters {
    private(set) var count = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    mutating func increment() { count += 1 }

    mutating func decrement() {
        count -= 1
        guard count == 0 else { return }
        for waiter in waiting { waiter.resume() }
        waiting = []
    }

    mutating func waitForZero(_ waiter: CheckedContinuation<Void, Never>) { waiting.append(waiter) }
}
