package import Auth
package import Engine
import HTTPTypes
package import Hummingbird

/// The authenticator reads an HTTP request's head (it sits below the router, beside the live feeds);
/// these take the router's request as it comes.
extension Authenticator {
    package func identity(for request: Request) async throws -> Identity { try await identity(for: request.head) }

    /// The caller, with the write's Idempotency-Key once the credential is known (a 401 comes first).
    package func caller(for request: Request) async throws -> Caller {
        var caller = try await caller(for: request.head)
        caller.commandKeys = try IdempotencyKeyHeader.key(of: request.head, by: caller.principal).map(CommandKeys.init)
        return caller
    }

    package func caller(for request: Request, naming text: String) async throws -> Caller {
        var caller = try await caller(for: request.head, naming: text)
        caller.commandKeys = try IdempotencyKeyHeader.key(of: request.head, by: caller.principal).map(CommandKeys.init)
        return caller
    }

    package func person(for request: Request) async throws -> (Account, Identity) {
        try await person(for: request.head)
    }
}
