import Foundation
package import Hummingbird
import Live
package import Wire

/// The operations and schemas one target serves, for the document the executable assembles.
package struct OpenAPIContribution: Sendable {
    package let operations: [OpenAPIOperation]
    package let schemas: [String: JSONValue]
    /// Routes that are another spelling of one of these operations (`METHOD /path`, as the router
    /// prints them): served, and said once in an operation's description rather than listed twice.
    package var aliases: Set<String> = []

    package init(operations: [OpenAPIOperation], schemas: [String: JSONValue], aliases: Set<String> = []) {
        self.operations = operations
        self.schemas = schemas
        self.aliases = aliases
    }

    /// This target's own: the API, the public reads, the pages and the operations.
    package static var core: OpenAPIContribution {
        OpenAPIContribution(operations: OpenAPIPaths.all, schemas: OpenAPISchemas.all)
    }
}

/// The OpenAPI 3.1 document of statusd (the HTTP contract), assembled once at start-up from what each
/// target contributes and held to the router by `check`: a route without an operation, or an
/// operation without a route, stops statusd before it listens, so every test run catches a document
/// that has fallen behind.
package struct OpenAPIDocument: Sendable {
    private let operations: [OpenAPIOperation]
    private let schemas: [String: JSONValue]
    private let aliases: Set<String>

    package init(_ contributions: [OpenAPIContribution]) {
        operations = contributions.flatMap(\.operations)
        schemas = contributions.reduce(into: [:]) { all, part in all.merge(part.schemas) { $1 } }
        aliases = contributions.reduce(into: []) { all, part in all.formUnion(part.aliases) }
    }

    /// Paths the router serves that are not operations: the files of the `/docs` viewer and the pages.
    package static let unlisted: Set<String> = [
        "GET /docs/viewer.js", "GET /docs/viewer.css", "GET /static/status.css", "GET /static/status.js",
        "GET /static/dashboard.js", "GET /static/dashboard.css",
    ]

    package var json: JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in operations { paths[operation.path, default: [:]][operation.method] = operation.json }
        var responses: [String: JSONValue] = [:]
        for operation in operations {
            for status in operation.errorStatuses {
                var response: [String: JSONValue] = ["description": .string(OpenAPIOperation.reason(status))]
                if status != 304 {
                    switch operation.errorShape {
                    case .problem: response["content"] = ["application/problem+json": ["schema": Schema.ref("Problem")]]
                    case .statuspage:
                        response["content"] = ["application/json": ["schema": Schema.ref("StatuspageError")]]
                    case .page: response["content"] = ["text/html": [:]]
                    }
                }
                responses[operation.errorShape.responseName(status)] = .object(response)
            }
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "statusd", "version": .string(StatusdVersion.current),
                "description":
                    "A self-hosted, multi-tenant status page server. JSON is snake_case; times are RFC 3339 UTC; errors are application/problem+json (RFC 9457).",
                "license": ["name": "Apache-2.0", "identifier": "Apache-2.0"],
            ],
            "security": [["bearer": []]],
            "paths": .object(paths.mapValues { JSONValue.object($0) }),
            "components": [
                "schemas": .object(schemas),
                "responses": .object(responses),
                "parameters": ["IdempotencyKey": OpenAPIParameters.idempotencyKey],
                "securitySchemes": [
                    "bearer": [
                        "type": "http", "scheme": "bearer",
                        "description":
                            "An API key (sk_...), a session token from /api/auth/login, or an OpenID Connect ID token. A person who is a member of several organizations names the one to act on with `X-Organization: <slug>` (400 without it); an API key acts on its own organization only (another slug answers 404).",
                    ]
                ],
            ],
        ]
    }

    /// The routes and the operations that do not match, as `METHOD /path` lines; empty when they agree.
    package func mismatches(routes: [String]) -> (undocumented: [String], unrouted: [String]) {
        let routed = Set(routes).subtracting(Self.unlisted).subtracting(aliases)
        let documented = Set(operations.map { "\($0.method.uppercased()) \($0.path)" })
        return (routed.subtracting(documented).sorted(), documented.subtracting(routed).sorted())
    }

    /// - Throws: a one-line `OperationFailure` naming every mismatch.
    package func check(_ router: Router<StatusdRequestContext>) throws {
        let (undocumented, unrouted) = mismatches(routes: router.routes.map { "\($0.method) \($0.path)" })
        guard undocumented.isEmpty, unrouted.isEmpty else {
            throw OperationFailure(
                "the OpenAPI document does not match the router: routes without an operation \(undocumented), operations without a route \(unrouted)"
            )
        }
    }
}
