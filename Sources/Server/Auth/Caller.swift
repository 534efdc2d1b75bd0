package import Engine
import Synchronization

/// Who a request acts as, and in which organization: resolved once per request by `Authenticator`.
package struct Caller: Sendable {
    package let principal: Principal
    package let organization: OrgActor
    /// The write's `Idempotency-Key`, if it sent one: each command it runs is applied at most once.
    package var commandKeys: CommandKeys?

    package init(principal: Principal, organization: OrgActor) {
        self.principal = principal
        self.organization = organization
    }
}

/// The keys of one request's commands: the client's key for the first, and `CommandKey.step` for
/// each one after it (an incident's edit that also posts an update runs two), handed out in the order
/// the route runs them, which a retry of the same request repeats.
package final class CommandKeys: Sendable {
    private let key: CommandKey
    private let taken = Mutex(0)

    package init(_ key: CommandKey) { self.key = key }

    package func next() -> CommandKey {
        key.step(
            taken.withLock {
                $0 += 1; return $0
            })
    }
}
