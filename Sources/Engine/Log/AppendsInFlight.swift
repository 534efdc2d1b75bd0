/// What a writer of a shared log (`OrgActor`, `Directory`) keeps to set itself back after a refused
/// append: how many appends are in flight, the refused ones waiting for all of them to be answered, and
/// whether its working state holds events that did not land. Kept by the actor; never shared.
struct AppendsInFlight {
    private(set) var count = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Set by a refused append; taken by the first `setBack` that runs after it.
    var refused = false

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
