import Engine
package import HTTP
package import Wire

/// The Statuspage dialect in the OpenAPI document: the public v2 documents (`StatuspagePublic`), with
/// Statuspage's enumerations, so that schemathesis holds our answers to the shapes its clients expect.
package enum OpenAPIStatuspage {
    private typealias S = Schema
    private typealias P = OpenAPIParameters

    package static let operations: [OpenAPIOperation] = StatuspagePublicRoutes.documents.flatMap { document in
        let (key, schema) = documentSchema(document.path)
        return [
            OpenAPIOperation(
                method: "get", path: "/s/{slug}/api/v2/" + document.path,
                summary: "Statuspage v2: " + document.path + " (" + key + ")", tag: "Statuspage", access: .open,
                parameters: [P.slug, P.ifNoneMatch], success: (200, schema), more: [304, 404]),
            OpenAPIOperation(
                method: "get", path: "/api/v2/" + document.path,
                summary: "Statuspage v2 on a custom domain: " + document.path + " (" + key + ")", tag: "Statuspage",
                access: .open, parameters: [P.ifNoneMatch], success: (200, schema), more: [304, 404],
                description:
                    "The organization is the one whose verified custom domain is the request's Host; on any other host, 404."
            ),
        ]
    }

    /// Feeds, badges and the embed script.
    package static let extras: [OpenAPIOperation] = {
        var operations: [OpenAPIOperation] = []
        for (path, kind) in [
            ("/s/{slug}/history.rss", "RSS 2.0"), ("/s/{slug}/history.atom", "Atom 1.0"),
            ("/status/{slug}/feed.rss", "RSS 2.0"), ("/status/{slug}/feed.atom", "Atom 1.0"),
        ] {
            operations.append(
                OpenAPIOperation(
                    method: "get", path: path,
                    summary: "History feed (\(kind)): one item per incident or maintenance update",
                    tag: "Statuspage", access: .open, parameters: [P.slug, P.ifNoneMatch], success: (200, nil),
                    more: [304, 404]))
        }
        let shields = S.object([
            "schemaVersion": S.integer, "label": S.string, "message": S.string, "color": S.string,
        ])
        let uptime = P.query("uptime", ["type": "boolean"], "Add the 90-day uptime to a service's badge.")
        operations += [
            OpenAPIOperation(
                method: "get", path: "/status/{slug}/badge.svg", summary: "The page indicator as an SVG badge",
                tag: "Statuspage", access: .open, parameters: [P.slug, P.ifNoneMatch], success: (200, nil),
                more: [304, 404]),
            OpenAPIOperation(
                method: "get", path: "/status/{slug}/badge.json",
                summary: "The page indicator as shields.io endpoint JSON", tag: "Statuspage", access: .open,
                parameters: [P.slug, P.ifNoneMatch], success: (200, shields), more: [304, 404]),
            OpenAPIOperation(
                method: "get", path: "/status/{slug}/services/{id}/badge.svg",
                summary: "A service's status as an SVG badge",
                tag: "Statuspage", access: .open, parameters: [P.slug, P.id(ServiceID.self), uptime, P.ifNoneMatch],
                success: (200, nil), more: [304, 404, 422]),
            OpenAPIOperation(
                method: "get", path: "/status/{slug}/services/{id}/badge.json",
                summary: "A service's status as shields.io endpoint JSON", tag: "Statuspage", access: .open,
                parameters: [P.slug, P.id(ServiceID.self), uptime, P.ifNoneMatch], success: (200, shields),
                more: [304, 404, 422]),
            OpenAPIOperation(
                method: "get", path: "/status/{slug}/embed.js",
                summary: "A script for other sites: a banner while an incident or maintenance is active, live",
                tag: "Statuspage", access: .open, parameters: [P.slug, P.ifNoneMatch], success: (200, nil),
                more: [304, 404]),
        ]
        return operations
    }()

    /// The member beside `page` each document carries.
    private static func documentSchema(_ path: String) -> (String, JSONValue) {
        switch path {
        case "summary.json":
            return (
                "the whole page",
                S.object([
                    "page": S.ref("StatuspagePage"), "components": S.array(S.ref("StatuspageComponent")),
                    "incidents": S.array(S.ref("StatuspageIncident")),
                    "scheduled_maintenances": S.array(S.ref("StatuspageIncident")),
                    "status": S.ref("StatuspageStatus"),
                ])
            )
        case "status.json":
            return (
                "the page indicator", S.object(["page": S.ref("StatuspagePage"), "status": S.ref("StatuspageStatus")])
            )
        case "components.json":
            return (
                "components and groups",
                S.object(["page": S.ref("StatuspagePage"), "components": S.array(S.ref("StatuspageComponent"))])
            )
        case "incidents.json", "incidents/unresolved.json":
            return (
                path == "incidents.json" ? "the 50 most recent, maintenance included" : "unresolved",
                S.object(["page": S.ref("StatuspagePage"), "incidents": S.array(S.ref("StatuspageIncident"))])
            )
        default:
            return (
                "maintenance",
                S.object([
                    "page": S.ref("StatuspagePage"), "scheduled_maintenances": S.array(S.ref("StatuspageIncident")),
                ])
            )
        }
    }

    package static let schemas: [String: JSONValue] = [
        "StatuspagePage": S.object([
            "id": S.id(OrgID.self), "name": S.string, "url": S.string, "time_zone": S.string,
            "updated_at": S.dateTime,
        ]),
        "StatuspageStatus": S.object([
            "indicator": S.enumeration(["none", "minor", "major", "critical"]), "description": S.string,
        ]),
        "StatuspageComponent": S.object(
            [
                "id": S.string, "name": S.string, "status": componentStatus, "created_at": S.dateTime,
                "updated_at": S.dateTime, "position": S.integer, "description": S.nullable(S.string),
                "showcase": S.boolean, "start_date": S.nullable(S.string), "group_id": S.nullable(S.string),
                "page_id": S.id(OrgID.self), "group": S.boolean, "only_show_if_degraded": S.boolean,
                "components": S.array(S.string),
            ], optional: ["components"]),
        "StatuspageIncident": S.object(
            [
                "id": S.string, "name": S.string,
                "status": S.enumeration([
                    "investigating", "identified", "monitoring", "resolved", "postmortem", "scheduled", "in_progress",
                    "verifying", "completed",
                ]),
                "created_at": S.dateTime, "updated_at": S.dateTime, "monitoring_at": S.nullable(S.dateTime),
                "resolved_at": S.nullable(S.dateTime),
                "impact": S.enumeration(["none", "maintenance", "minor", "major", "critical"]), "shortlink": S.string,
                "started_at": S.dateTime, "page_id": S.id(OrgID.self),
                "incident_updates": S.array(S.ref("StatuspageIncidentUpdate")),
                "components": S.array(S.ref("StatuspageComponent")), "scheduled_for": S.dateTime,
                "scheduled_until": S.dateTime,
            ], optional: ["scheduled_for", "scheduled_until"]),
        "StatuspageIncidentUpdate": S.object([
            "id": S.string, "status": S.string, "body": S.string, "incident_id": S.string, "created_at": S.dateTime,
            "updated_at": S.dateTime, "display_at": S.dateTime,
            "affected_components": S.nullable(
                S.array(
                    S.object([
                        "code": S.string, "name": S.string, "old_status": componentStatus,
                        "new_status": componentStatus,
                    ]))),
            "deliver_notifications": S.boolean, "custom_tweet": S.nullable(S.string),
            "tweet_id": S.nullable(S.string),
        ]),
    ]

    private static let componentStatus = S.enumeration(ServiceStatus.self)
}
