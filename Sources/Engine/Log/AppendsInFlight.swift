/// What a writer of a shared log (`OrgActor`, `Directory`) keeps to set itself back after a refused
/// append: how many appends are in flight, the refused ones waiting for all of them to be answered,
/// whether its working state holds events that did not land, and whether it is catching up (then no
/// command is decided: one decided on the stale state would only be refused again, and with a command
/// always in flight the catch-up would never find a moment to apply). Kept by the actor; never shared.
struct AppendsInFlight {
    private(set) var count = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Set by a refused append; taken by the first `setBack` that runs after it.
    var refused = false
    private var catchingUp = 0
    private var deciders: [CheckedContinuation<Void, Never>] = []

    /// Whether a decision must wait (`waitToDecide`) for a catch-up under way.
    var mustWaitToDecide: Bool { catchingUp > 0 }

    mutating func waitToDecide(_ decider: CheckedContinuation<Void, Never>) { deciders.append(decider) }

    mutating func beginCatchUp() { catchingUp += 1 }

    mutating func endCatchUp() {
        catchingUp -= 1
        guard catchingUp == 0 else { return }
        for decider in deciders { decider.resume() }
        deciders = []
    }

    mutating func started() { count += 1 }

    /// One append answered; wakes the waiters once none is left.
    mutating func finished() {
        count -= 1
        guard count == 0 else { return }
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    /// Resumed once every append in flight is answered.
    mutating func wait(_ waiter: CheckedContinuation<Void, Never>) { waiters.append(waiter) }

    /// Whether a refusal is waiting to be set back, clearing it.
    mutating func takeRefusal() -> Bool {
        defer { refused = false }
        return refused
    }
}
