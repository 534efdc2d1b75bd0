import Foundation
import Hummingbird

/// The OpenAPI 3.1 document of statusd (API.md: the contract), built once at start-up and held to the
/// router by `check`: a route without an operation, or an operation without a route, stops statusd
/// before it listens, so every test run catches a document that has fallen behind.
enum OpenAPIDocument {
    static let version = "1.0.0"

    /// Paths the router serves that are not operations: the files of the `/docs` viewer and the pages.
    static let unlisted: Set<String> = [
        "GET /docs/viewer.js", "GET /docs/viewer.css", "GET /static/status.css", "GET /static/status.js",
        "GET /static/dashboard.js", "GET /static/dashboard.css",
    ]

    static var json: JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in OpenAPIPaths.all { paths[operation.path, default: [:]][operation.method] = operation.json }
        var responses: [String: JSONValue] = [:]
        for operation in OpenAPIPaths.all {
            for status in operation.errorStatuses {
                var response: [String: JSONValue] = ["description": .string(OpenAPIOperation.reason(status))]
                if status != 304 {
                    response["content"] =
                        operation.errorShape == .problem
                        ? ["application/problem+json": ["schema": Schema.ref("Problem")]]
                        : ["application/json": ["schema": Schema.ref("StatuspageError")]]
                }
                responses[operation.errorShape.responseName(status)] = .object(response)
            }
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "statusd", "version": .string(version),
                "description":
                    "A self-hosted, multi-tenant status page server. JSON is snake_case; times are RFC 3339 UTC; errors are application/problem+json (RFC 9457).",
                "license": ["name": "Apache-2.0", "identifier": "Apache-2.0"],
            ],
            "security": [["bearer": []]],
            "paths": .object(paths.mapValues { JSONValue.object($0) }),
            "components": [
                "schemas": .object(OpenAPISchemas.all),
                "responses": .object(responses),
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
    static func mismatches(routes: [String]) -> (undocumented: [String], unrouted: [String]) {
        let routed = Set(routes).subtracting(unlisted)
        let documented = Set(OpenAPIPaths.all.map { "\($0.method.uppercased()) \($0.path)" })
        return (routed.subtracting(documented).sorted(), documented.subtracting(routed).sorted())
    }

    /// - Throws: a one-line `CommandFailure` naming every mismatch.
    static func check(_ router: Router<StatusdRequestContext>) throws {
        let (undocumented, unrouted) = mismatches(routes: router.routes.map { "\($0.method) \($0.path)" })
        guard undocumented.isEmpty, unrouted.isEmpty else {
            throw CommandFailure(
                "the OpenAPI document does not match the router: routes without an operation \(undocumented), operations without a route \(unrouted)"
            )
        }
    }
}
