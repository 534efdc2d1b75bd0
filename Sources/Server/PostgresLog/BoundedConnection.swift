package import PostgresNIO
import Synchronization

/// A connection of the log's own (the writer's, the catch-up reader's, the cluster's bookkeeping: the
/// leader lease, the node's report, the archive's blocks), opened when needed and dropped
/// on any error, with every call bounded in time, connecting included. A pool would not do: while the
/// server is gone it queues requests behind reconnects whose backoff grows to a minute, so a write
/// waiting on a catch-up would hang past the outage; here the next call opens a new connection at once.
package actor BoundedConnection {
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    private var connection: PostgresConnection?
    private var connecting: Task<PostgresConnection, any Error>?
    private var opened = 0

    package init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Closes the connection, once a connect under way has ended (it would be kept, open, after).
    package func close() async {
        if let connecting { _ = try? await connecting.value }
        try? await connection?.close()
        connection = nil
    }

    /// Runs `body` on the connection, opening one first when there is none, all within `timeout`.
    /// Past it the connection is closed under `body` (postgres-nio cannot cancel a query in flight), so
    /// the call ends with an error and the outcome of what was sent is for the caller to find out.
    package func run<T: Sendable>(timeout: Duration, _ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws -> T
    {
        let deadline = ContinuousClock.now + timeout
        let current = try await connected(within: timeout)
        do {
            let left = max(deadline - ContinuousClock.now, .milliseconds(100))
            return try await Self.race(timeout: left, whenLate: { try? await current.close() }) {
                try await body(current)
            }
        } catch {
            if connection === current { connection = nil }
            try? await current.close()
            throw error
        }
    }

    /// `body` between BEGIN and COMMIT, all within `timeout`: the driver completes a lone statement
    /// before an implicit transaction commits, so what must be durable counts as done only once an
    /// explicit COMMIT answered.
    package func transaction<T: Sendable>(
        timeout: Duration, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        return try await run(timeout: timeout) { connection in
            try await connection.withTransaction(logger: logger) { try await body($0) }
        }
    }

    /// The open connection, or a new one within `timeout`. One connect at a time: the probe and a batch
    /// may both find none (the actor lets them interleave at each await), and a second connection
    /// opened meanwhile would replace the first without closing it (postgres-nio traps on a connection
    /// freed open). A connect that outlives the callers who waited for it still ends here and is kept.
    private func connected(within timeout: Duration) async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        let task = connecting ?? startConnecting()
        return try await Self.race(timeout: timeout, whenLate: {}) { try await task.value }
    }

    private func startConnecting() -> Task<PostgresConnection, any Error> {
        opened += 1
        let (configuration, id, logger) = (self.configuration, opened, self.logger)
        let task = Task {
            do {
                let new = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
                await self.connected(new)
                return new
            } catch {
                await self.connected(nil)
                throw error
            }
        }
        connecting = task
        return task
    }

    private func connected(_ new: PostgresConnection?) async {
        connecting = nil
        guard let new else { return }
        if let old = connection { try? await old.close() }
        connection = new
    }

    /// `body`'s answer, or past `timeout` an error after `whenLate` ran. Not a task group: a group
    /// waits for every child, and a query that ignores its connection closing would hold the caller
    /// forever; here it is left behind on a connection no one uses again. Also the bound of the pool's
    /// single statements that a request or a shutdown waits on (the pool retries a lost server for a
    /// minute): the statement is left to end by itself.
    package static func race<T: Sendable>(
        timeout: Duration, whenLate: @escaping @Sendable () async -> Void = {},
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = Once()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let timer = Task {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled, once.claim() else { return }
                continuation.resume(
                    throwing: PostgresLogError(description: "no answer from PostgreSQL within \(timeout)"))
                await whenLate()
            }
            Task {
                let result: Result<T, any Error>
                do {
                    result = .success(try await body())
                } catch {
                    result = .failure(error)
                }
                timer.cancel()
                if once.claim() { continuation.resume(with: result) }
            }
        }
    }
}

/// True for the first caller only.
private final class Once: Sendable {
    private let taken = Atomic<Bool>(false)

    func claim() -> Bool {
        taken.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}
