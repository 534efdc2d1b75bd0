import Engine
import Live
package import Wire

/// Services, groups, incidents, maintenance, and the public reads of an organization's page.
extension OpenAPIPaths {
    private typealias S = Schema
    private typealias P = OpenAPIParameters

    package static let services: [Op] = [
        Op(
            method: "get", path: "/api/services", summary: "Services, in page order", tag: "Services",
            access: .member(.readPage),
            parameters: [P.limit, P.cursor], success: (200, S.list(S.ref("Service"))), more: [422]),
        Op(
            method: "post", path: "/api/services", summary: "Create a service", tag: "Services",
            access: .member(.editPage),
            body: "ServiceInput", success: (201, S.ref("Service")), more: [409],
            links: [
                .init(operation: "getApiServicesId"), .init(operation: "putApiServicesId"),
                .init(operation: "deleteApiServicesId"), .init(operation: "putApiServicesIdStatus"),
                .init(operation: "getApiServicesIdUptime"), .init(operation: "getApiServicesIdStatusHistory"),
            ]),
        Op(
            method: "get", path: "/api/services/{id}", summary: "A service", tag: "Services",
            access: .member(.readPage),
            parameters: [P.id(ServiceID.self)], success: (200, S.ref("Service"))),
        Op(
            method: "put", path: "/api/services/{id}", summary: "Change a service", tag: "Services",
            access: .member(.editPage),
            parameters: [P.id(ServiceID.self)], body: "ServiceInput", success: (200, S.ref("Service")),
            more: [409]),
        Op(
            method: "delete", path: "/api/services/{id}", summary: "Delete a service", tag: "Services",
            access: .member(.editPage),
            parameters: [P.id(ServiceID.self)], success: (204, nil), more: [409, 422, 503]),
        Op(
            method: "put", path: "/api/services/{id}/status", summary: "Set a service's status",
            tag: "Services", access: .member(.editPage), parameters: [P.id(ServiceID.self)], body: "ServiceStatusInput",
            success: (200, S.ref("Service")), more: [409]),
        Op(
            method: "get", path: "/api/services/{id}/uptime", summary: "Uptime per day", tag: "Services",
            access: .member(.readPage),
            parameters: [P.id(ServiceID.self), P.days], success: (200, S.ref("ServiceUptime")), more: [422]),
        Op(
            method: "get", path: "/api/services/{id}/status-history", summary: "Status changes, newest first",
            tag: "Services", access: .member(.readPage), parameters: [P.id(ServiceID.self), P.limit, P.cursor],
            success: (200, S.list(S.ref("StatusChange"))), more: [422]),
    ]

    package static let groups: [Op] = [
        Op(
            method: "get", path: "/api/service-groups", summary: "Service groups", tag: "Service groups",
            access: .member(.readPage),
            parameters: [P.limit, P.cursor], success: (200, S.list(S.ref("Group"))), more: [422]),
        Op(
            method: "post", path: "/api/service-groups", summary: "Create a group", tag: "Service groups",
            access: .member(.editPage),
            body: "GroupInput", success: (201, S.ref("Group")), more: [409],
            links: [
                .init(operation: "getApiServiceGroupsId"), .init(operation: "putApiServiceGroupsId"),
                .init(operation: "deleteApiServiceGroupsId"),
            ]),
        Op(
            method: "get", path: "/api/service-groups/{id}", summary: "A group", tag: "Service groups",
            access: .member(.readPage),
            parameters: [P.id(GroupID.self)], success: (200, S.ref("Group"))),
        Op(
            method: "put", path: "/api/service-groups/{id}", summary: "Change a group",
            tag: "Service groups", access: .member(.editPage), parameters: [P.id(GroupID.self)], body: "GroupInput",
            success: (200, S.ref("Group")), more: [409]),
        Op(
            method: "delete", path: "/api/service-groups/{id}", summary: "Delete a group; its services stay, ungrouped",
            tag: "Service groups", access: .member(.editPage), parameters: [P.id(GroupID.self)], success: (204, nil),
            more: [409, 422, 503]),
    ]

    package static let incidentFilters: [JSONValue] = [
        P.query(
            "status", S.enumeration(["active", "resolved"] + IncidentStatus.allCases.map(\.rawValue)),
            "`active`, `resolved` (with postmortem) or one status."),
        P.query("service", S.id(ServiceID.self), "Only incidents that affect this service."),
        P.query("since", S.dateTime, "Created at or after."),
        P.query("until", S.dateTime, "Created before."),
        P.limit, P.cursor,
    ]

    package static let incidents: [Op] = [
        Op(
            method: "get", path: "/api/incidents", summary: "Incidents, newest first (older ones from the archive)",
            tag: "Incidents", access: .member(.readPage), parameters: incidentFilters,
            success: (200, S.list(S.ref("Incident"))),
            more: [422]),
        Op(
            method: "post", path: "/api/incidents", summary: "Open an incident", tag: "Incidents",
            access: .member(.editPage),
            body: "IncidentInput", success: (201, S.ref("Incident")), more: [409],
            description:
                "`name` and `body` (the first update) are required. Each affected service may take a status; it goes back when the incident resolves, unless changed since.",
            links: [
                .init(operation: "getApiIncidentsId"), .init(operation: "putApiIncidentsId"),
                .init(operation: "deleteApiIncidentsId"), .init(operation: "postApiIncidentsIdUpdates"),
                .init(operation: "putApiIncidentsIdStatus"), .init(operation: "putApiIncidentsIdResolve"),
            ]),
        Op(
            method: "get", path: "/api/incidents/{id}", summary: "An incident", tag: "Incidents",
            access: .member(.readPage),
            parameters: [P.id(IncidentID.self)], success: (200, S.ref("Incident"))),
        Op(
            method: "put", path: "/api/incidents/{id}", summary: "Change an incident's name, impact or services",
            tag: "Incidents", access: .member(.editPage), parameters: [P.id(IncidentID.self)], body: "IncidentInput",
            success: (200, S.ref("Incident")), more: [409]),
        Op(
            method: "delete", path: "/api/incidents/{id}", summary: "Delete an incident", tag: "Incidents",
            access: .member(.editPage),
            parameters: [P.id(IncidentID.self)], success: (204, nil), more: [409, 422, 503]),
        Op(
            method: "post", path: "/api/incidents/{id}/updates", summary: "Post an update", tag: "Incidents",
            access: .member(.editPage),
            parameters: [P.id(IncidentID.self)], body: "IncidentInput", success: (200, S.ref("Incident")),
            more: [409]),
        Op(
            method: "put", path: "/api/incidents/{id}/updates/{update_id}",
            summary: "Correct the text of a posted update (its status and time stay)", tag: "Incidents",
            access: .member(.editPage),
            parameters: [P.id(IncidentID.self), P.path("update_id", S.id(UpdateID.self))], body: "UpdateTextInput",
            success: (200, S.ref("Incident"))),
        Op(
            method: "put", path: "/api/incidents/{id}/status", summary: "Post an update (the other seed's path)",
            tag: "Incidents", access: .member(.editPage), parameters: [P.id(IncidentID.self)], body: "IncidentInput",
            success: (200, S.ref("Incident")), more: [409]),
        Op(
            method: "put", path: "/api/incidents/{id}/resolve", summary: "Resolve (the body is optional)",
            tag: "Incidents", access: .member(.editPage), parameters: [P.id(IncidentID.self)], body: "IncidentInput",
            bodyRequired: false,
            success: (200, S.ref("Incident")), more: [409]),
    ]

    package static let maintenance: [Op] = [
        Op(
            method: "get", path: "/api/maintenance", summary: "Maintenance windows, newest first", tag: "Maintenance",
            access: .member(.readPage),
            parameters: [
                P.query("status", S.enumeration(MaintenanceStatus.self), "Only windows in this status."), P.limit,
                P.cursor,
            ], success: (200, S.list(S.ref("Maintenance"))), more: [422]),
        Op(
            method: "post", path: "/api/maintenance", summary: "Schedule maintenance", tag: "Maintenance",
            access: .member(.editPage),
            body: "MaintenanceInput", success: (201, S.ref("Maintenance")), more: [409],
            description: "`name`, `scheduled_start` and `scheduled_end` are required.",
            links: [
                .init(operation: "getApiMaintenanceId"), .init(operation: "putApiMaintenanceId"),
                .init(operation: "deleteApiMaintenanceId"), .init(operation: "putApiMaintenanceIdStatus"),
            ]),
        Op(
            method: "get", path: "/api/maintenance/{id}", summary: "A maintenance window", tag: "Maintenance",
            access: .member(.readPage),
            parameters: [P.id(MaintenanceID.self)], success: (200, S.ref("Maintenance"))),
        Op(
            method: "put", path: "/api/maintenance/{id}", summary: "Change a window", tag: "Maintenance",
            access: .member(.editPage),
            parameters: [P.id(MaintenanceID.self)], body: "MaintenanceInput", success: (200, S.ref("Maintenance")),
            more: [409]),
        Op(
            method: "delete", path: "/api/maintenance/{id}", summary: "Delete a window", tag: "Maintenance",
            access: .member(.editPage),
            parameters: [P.id(MaintenanceID.self)], success: (204, nil), more: [409, 422, 503]),
        Op(
            method: "put", path: "/api/maintenance/{id}/status", summary: "Move a window to a status",
            tag: "Maintenance", access: .member(.editPage), parameters: [P.id(MaintenanceID.self)],
            body: "MaintenanceStatusInput",
            success: (200, S.ref("Maintenance")), more: [409]),
        Op(
            method: "put", path: "/api/maintenance/{id}/updates/{update_id}",
            summary: "Correct the text of a posted update (its status and time stay)", tag: "Maintenance",
            access: .member(.editPage),
            parameters: [P.id(MaintenanceID.self), P.path("update_id", S.id(UpdateID.self))],
            body: "UpdateTextInput", success: (200, S.ref("Maintenance"))),
    ]

    /// Cacheable public documents: `ETag`, `Last-Modified`, 304 on `If-None-Match`.
    private static func cached(_ path: String, _ summary: String, _ schema: JSONValue) -> Op {
        Op(
            method: "get", path: path, summary: summary, tag: "Public", access: .open,
            parameters: [P.slug, P.ifNoneMatch], success: (200, schema), more: [304, 404])
    }

    package static let publicReads: [Op] = [
        Op(
            method: "post", path: "/api/status/{slug}/subscriptions",
            summary: "Subscribe an email address (double opt-in: a confirmation link is mailed)", tag: "Public",
            access: .open, parameters: [P.slug], body: "SubscriptionRequest",
            success: (202, S.object(["status": S.enumeration(["pending"]), "detail": S.string])),
            more: [400, 404, 413, 415, 422, 429],
            description:
                "The same 202 whether the address was new, unconfirmed (its link is mailed again) or subscribed (a manage link is mailed): nobody learns who is subscribed. Limited per client address, per email address over every page, and per page (429 with Retry-After). 404 when the page takes no email subscribers or no mail server is configured."
        ),
        cached("/api/status/{slug}", "The whole status page", S.ref("PublicSummary")),
        cached("/api/public/{slug}/status", "The whole status page (the other seed's path)", S.ref("PublicSummary")),
        cached(
            "/api/status/{slug}/services", "Services and groups, in page order",
            S.object(["services": S.array(S.ref("PublicService")), "groups": S.array(S.ref("PublicGroup"))])),
        cached(
            "/api/status/{slug}/maintenance", "Maintenance in progress and upcoming",
            S.object([
                "active": S.array(S.ref("PublicMaintenance")), "upcoming": S.array(S.ref("PublicMaintenance")),
            ])),
        Op(
            method: "get", path: "/api/status/{slug}/events",
            summary: "The public live feed (Server-Sent Events; never ends)", tag: "Public", access: .open,
            parameters: [
                P.slug,
                P.query("since", ["type": "integer", "minimum": 0], "Resume after this seq (or send Last-Event-ID)."),
            ], success: (200, nil), more: [400, 404, 422],
            description:
                "`text/event-stream`: a `hello` frame (the current seq), then the frames after `since` or `Last-Event-ID` from a bounded ring (or `resync` when that is too old), then live frames, each with `id: <seq>` and `data: <frame JSON>` (the WebSocket's frames). A reader that cannot keep up is closed and resumes from its last id."
        ),
        Op(
            method: "get", path: "/ws/{slug}", summary: "The public live feed over a WebSocket", tag: "Public",
            access: .open,
            parameters: [P.slug, P.query("since", ["type": "integer", "minimum": 0], "Resume after this seq.")],
            success: (101, nil), more: [400, 404, 422, 426],
            description:
                "A WebSocket opening handshake (RFC 6455). Text frames carry live frames (`type`, `org`, `seq`, `prev`, `at`, `data`): `hello` (the current seq), the frames after `since` from a bounded ring (or `resync`), then live frames. Client messages: `subscribe` (`org`, `since`) to follow more organizations, `unsubscribe`, `ping`. Limits end the connection with a close code and a reason: 1008 (a limit, a refused credential, a reader too slow), 1009 (a message over 4 KiB), 1013 (server full), 1001 (shutdown)."
        ),
        Op(
            method: "get", path: "/ws", summary: "The members' live feed over a WebSocket", tag: "Public",
            access: .open,
            parameters: [
                P.query(
                    "org", ["type": "string"],
                    "The organization to follow at once (id or slug) for an account in several."),
                P.query("since", ["type": "integer", "minimum": 0], "Resume after this seq."),
            ], success: (101, nil), more: [400, 403, 422, 426],
            description:
                "As `/ws/{slug}`, with credentials: `Authorization: Bearer` (API key, session or OpenID Connect token), the dashboard's session cookie, or a first `{\"type\": \"auth\", \"token\": ...}` message within `--live-auth-timeout-seconds`. Members also receive the private frames of their organization (`member_*`; admins also `invitation_*` and `key_*`, never a secret). A browser page must come from the server's own origin or one of `--cors-origins` (403 otherwise)."
        ),
        Op(
            method: "get", path: "/api/status/{slug}/timeline",
            summary: "Incident and maintenance updates, newest first (the last 90 days)", tag: "Public",
            access: .open, parameters: [P.slug, P.ifNoneMatch, P.limit, P.cursor],
            success: (200, S.list(S.ref("TimelineEntry"))), more: [304, 404, 422]),
        Op(
            method: "get", path: "/api/status/{slug}/uptime", summary: "Uptime per service per day", tag: "Public",
            access: .open, parameters: [P.slug, P.ifNoneMatch, P.days], success: (200, S.list(S.ref("ServiceUptime"))),
            more: [304, 404, 422]),
        Op(
            method: "get", path: "/api/status/{slug}/incidents", summary: "Incidents, newest first, paged",
            tag: "Public", access: .open, parameters: [P.slug] + incidentFilters,
            success: (200, S.list(S.ref("PublicIncident"))), more: [404, 422]),
        Op(
            method: "get", path: "/api/public/{slug}/incidents", summary: "Incidents (the other seed's path)",
            tag: "Public", access: .open, parameters: [P.slug] + incidentFilters,
            success: (200, S.list(S.ref("PublicIncident"))), more: [404, 422]),
    ]
}
