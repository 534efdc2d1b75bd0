package import Engine
import Live
package import Wire

/// One operation of the OpenAPI document, with the answers it can give. The error answers come from
/// its kind (`Access`) and whether it reads a body, the way `ResourceAPI` checks requests: credential
/// (401), role (403), path ids and `X-Organization` (404), then the body (400, 413, 422).
package struct OpenAPIOperation {
    package enum Access: Equatable {
        /// No credentials.
        case open
        /// A credential of a member of the organization the request acts on (`X-Organization`, in the
        /// security scheme's description, picks one for a person who belongs to several), who may do
        /// what the engine's table says of `OrgAccess`: the document prints the role from it.
        case member(OrgAccess)
        /// A person's credential (a session or an OpenID Connect token); an API key gets 403.
        case person
    }

    package let method: String
    package let path: String
    package let summary: String
    package let tag: String
    package var access: Access
    package var parameters: [JSONValue] = []
    /// The schema name of the JSON body, if it reads one.
    package var body: String? = nil
    package var bodyRequired = true
    /// The success answer: status and schema (nil: no body).
    package var success: (status: Int, schema: JSONValue?)
    /// Error statuses beyond those its access and body imply.
    package var more: Set<Int> = []
    package var description: String? = nil
    /// Operations the success answer leads to (OpenAPI links), so that a client or a stateful test
    /// knows which of its fields fills which path parameter.
    package var links: [Link] = []
    /// The shape of its error answers: problem+json, or Statuspage's `{"error": ...}` under `/v1`.
    package var errorShape: ErrorShape = .problem
    /// The request body's media type: JSON, or a form a page posts.
    package var bodyType = "application/json"
    /// The success answer's media type: JSON, or a file (a CSV export).
    package var successType = "application/json"

    package enum ErrorShape {
        case problem
        case statuspage
        /// An HTML page a person reads (the pages behind the links in notifications).
        case page

        /// The name of the shared response for `status`, under `#/components/responses/`.
        package func responseName(_ status: Int) -> String {
            switch self {
            case .problem: String(status)
            case .statuspage: "Statuspage\(status)"
            case .page: "Page\(status)"
            }
        }
    }

    package struct Link {
        package let operation: String
        package var parameter = "id"
        package var field = "id"
    }

    package var errorStatuses: Set<Int> {
        var statuses = more
        switch access {
        case .open: break
        case .member: statuses.formUnion([400, 401, 403, 404])
        case .person: statuses.formUnion([401, 403])
        }
        if body != nil {
            statuses.formUnion([400, 413, 422])
            if method != "get" { statuses.insert(503) }
        }
        if takesIdempotencyKey { statuses.formUnion([400, 409, 422]) }
        return statuses
    }

    /// A write in an organization: it runs its commands under the request's `Idempotency-Key`.
    package var takesIdempotencyKey: Bool {
        guard case .member = access else { return false }
        return method != "get"
    }

    package var json: JSONValue {
        var responses: [String: JSONValue] = [:]
        var ok: JSONValue = ["description": .string(Self.reason(success.status))]
        if let schema = success.schema {
            ok = ok.merging(["content": [successType: ["schema": schema]]])
        }
        if !links.isEmpty {
            var named: [String: JSONValue] = [:]
            for link in links {
                named[link.operation] = [
                    "operationId": .string(link.operation),
                    "parameters": [link.parameter: .string("$response.body#/\(link.field)")],
                ]
            }
            ok = ok.merging(["links": .object(named)])
        }
        responses[String(success.status)] = ok
        for status in errorStatuses {
            responses[String(status)] = ["$ref": .string("#/components/responses/\(errorShape.responseName(status))")]
        }
        var operation: [String: JSONValue] = [
            "operationId": .string(Self.operationID(method, path)), "summary": .string(summary),
            "tags": [.string(tag)], "responses": .object(responses),
        ]
        if case .member(let what) = access, let role = what.role {
            // The engine's table (`OrgAccess`), so that the document and the routes cannot disagree.
            operation["x-statusd-role"] = .string(role.rawValue)
            let needs = "Needs the \(role.rawValue) role."
            operation["description"] = .string(description.map { needs + " " + $0 } ?? needs)
        } else if let description {
            operation["description"] = .string(description)
        }
        if access == .open { operation["security"] = [] }
        let parameters = parameters + (takesIdempotencyKey ? [["$ref": "#/components/parameters/IdempotencyKey"]] : [])
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body {
            operation["requestBody"] = [
                "required": .bool(bodyRequired),
                "content": .object([bodyType: ["schema": Schema.ref(body)]]),
            ]
        }
        return .object(operation)
    }

    /// `get /api/services/{id}/uptime` -> `getApiServicesIdUptime`: stable and unique per route.
    package static func operationID(_ method: String, _ path: String) -> String {
        let words = path.split { !$0.isLetter && !$0.isNumber }.map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return method + words.joined()
    }

    package static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 304: "Not Modified: the representation named by If-None-Match is current"
        case 400: "Bad Request: the body is not JSON, or X-Organization is needed"
        case 401: "Unauthorized: no credential, or one that is not valid"
        case 403: "Forbidden: the credential lacks the role, or the action is not allowed"
        case 404: "Not Found"
        case 409: "Conflict: a unique name is taken, or the Idempotency-Key's request cannot be answered now"
        case 413: "Content Too Large: the body is over the limit"
        case 415: "Unsupported Media Type: the body must be JSON (application/json)"
        case 422: "Unprocessable Content: a field is missing or wrong (the problem names it)"
        case 429: "Too Many Requests: wait the seconds in Retry-After"
        case 503: "Service Unavailable: the event log cannot take writes, or the server is busy"
        default: "Status \(status)"
        }
    }

    package init(
        method: String, path: String, summary: String, tag: String, access: Access,
        parameters: [JSONValue] = [], body: String? = nil, bodyRequired: Bool = true,
        success: (status: Int, schema: JSONValue?), more: Set<Int> = [], description: String? = nil, links: [Link] = [],
        errorShape: ErrorShape = .problem, bodyType: String = "application/json"
    ) {
        self.bodyType = bodyType
        self.method = method
        self.path = path
        self.summary = summary
        self.tag = tag
        self.access = access
        self.parameters = parameters
        self.body = body
        self.bodyRequired = bodyRequired
        self.success = success
        self.more = more
        self.description = description
        self.links = links
        self.errorShape = errorShape
    }
}

/// Parameters shared by many operations.
package enum OpenAPIParameters {
    package static func path(_ name: String, _ schema: JSONValue, _ description: String? = nil) -> JSONValue {
        var parameter: [String: JSONValue] = ["name": .string(name), "in": "path", "required": true, "schema": schema]
        if let description { parameter["description"] = .string(description) }
        return .object(parameter)
    }

    package static func query(_ name: String, _ schema: JSONValue, _ description: String) -> JSONValue {
        [
            "name": .string(name), "in": "query", "required": false, "schema": schema,
            "description": .string(description),
        ]
    }

    package static func id<Kind>(_ type: Identifier<Kind>.Type) -> JSONValue { path("id", Schema.id(type)) }

    package static let slug = path(
        "slug", ["type": "string", "pattern": "^[a-z0-9-]{2,40}$"], "The organization's slug.")
    package static let limit = query(
        "limit", ["type": "integer", "minimum": 1, "maximum": 200], "Items per page (default 50).")
    package static let cursor = query("cursor", Schema.string, "The `next_cursor` of the previous page.")
    package static let days = query(
        "days", ["type": "integer", "minimum": 1, "maximum": .integer(HistoryPolicy.dailyDaysMax)],
        "Days of history, newest last (default 90).")
    package static let idempotencyKey: JSONValue = [
        "name": "Idempotency-Key", "in": "header", "required": false,
        "schema": [
            "type": "string", "minLength": 1, "maxLength": .integer(CommandKey.lengthMax), "pattern": "^[!-~]+$",
        ],
        "description": """
        A name the client gives this write (a UUID, say), so that sending it again is safe: a retry \
        with the same key is answered with the first request's outcome and applies nothing, on \
        either log, after a restart, through any node, for a day. The key is the organization's and \
        belongs to one method, path and credential: used for another request it is refused (422); \
        while the first request is still being written, 409; a write that created a secret (an API \
        key, an invitation) is not answered again (409).
        """,
    ]

    package static let ifNoneMatch: JSONValue = [
        "name": "If-None-Match", "in": "header", "required": false, "schema": ["type": "string"],
        "description": "An ETag from an earlier answer: 304 while it is current.",
    ]
}
