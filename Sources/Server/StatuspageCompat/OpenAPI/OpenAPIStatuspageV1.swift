import Engine
package import HTTP
package import Wire

/// Statuspage's management API v1 (`/v1`, `StatuspageV1API`) in the OpenAPI document: its envelopes,
/// its objects member for member as `V1Objects` writes them, and its error shape.
package enum OpenAPIStatuspageV1 {
    private typealias S = Schema
    private typealias P = OpenAPIParameters
    private typealias Op = OpenAPIOperation

    private static let tag = "Statuspage v1"
    private static let page = P.path("page_id", S.string, "The organization's id or slug.")
    private static let organization = P.path("organization_id", S.string, "The organization's id or slug.")
    private static let paging = [
        P.query("page", ["type": "integer", "minimum": 1], "Page number, from 1."),
        P.query("per_page", ["type": "integer", "minimum": 1], "Items per page (at most 100; larger is 100)."),
        P.query("limit", ["type": "integer", "minimum": 1], "The same as per_page."),
    ]
    private static let range = [
        P.query("start", ["type": "string", "format": "date"], "First day (default: 89 days before end)."),
        P.query("end", ["type": "string", "format": "date"], "Last day (default: today); at most 183 days in all."),
    ]
    private static let note =
        "Paths also answer with `.json` appended. Credentials: `Authorization: OAuth <key>`, `Bearer <key>` or the bare key. Bodies may be form-encoded (`component[name]=...`) as well as JSON."

    private static func op(
        _ method: String, _ path: String, _ summary: String, _ access: OrgAccess, parameters: [JSONValue] = [],
        body: String? = nil,
        success: (Int, JSONValue?), more: Set<Int> = []
    ) -> Op {
        var operation = Op(
            method: method, path: "/v1" + path, summary: summary, tag: tag, access: .member(access),
            parameters: (path.contains("{organization_id}") ? [organization] : path.contains("{page_id}") ? [page] : [])
                + parameters, body: body, success: success,
            more: parameters.contains(paging[0]) || parameters.contains(range[0]) ? more.union([422]) : more,
            description: note)
        operation.errorShape = .statuspage
        return operation
    }

    private static func id(_ name: String) -> JSONValue { P.path(name, S.string) }

    package static let operations: [OpenAPIOperation] = {
        let component = S.ref("StatuspageV1Component")
        let group = S.ref("StatuspageV1ComponentGroup")
        let incident = S.ref("StatuspageV1Incident")
        let user = S.ref("StatuspageV1User")
        let cid = id("component_id")
        let gid = id("id")
        let iid = id("incident_id")
        var operations: [Op] = [
            op(
                "get", "/pages", "The pages this credential may read", .readOrganization,
                success: (200, S.array(S.ref("StatuspageV1Page")))),
            op(
                "get", "/pages/{page_id}", "A page (organization)", .readOrganization,
                success: (200, S.ref("StatuspageV1Page"))),
            op(
                "get", "/pages/{page_id}/components", "Components (services, and groups as group components)",
                .readPage,
                parameters: paging, success: (200, S.array(component))),
            op(
                "post", "/pages/{page_id}/components", "Create a component", .editPage,
                body: "StatuspageV1ComponentBody",
                success: (201, component)),
            op(
                "get", "/pages/{page_id}/components/{component_id}", "A component", .readPage, parameters: [cid],
                success: (200, component)),
            op(
                "delete", "/pages/{page_id}/components/{component_id}", "Delete a component", .editPage,
                parameters: [cid],
                success: (204, nil), more: [422, 503]),
            op(
                "get", "/pages/{page_id}/components/{component_id}/uptime", "A component's uptime over days", .readPage,
                parameters: [cid] + range, success: (200, S.ref("StatuspageV1Uptime")), more: [422]),
            op(
                "get", "/pages/{page_id}/component-groups", "Component groups", .readPage, parameters: paging,
                success: (200, S.array(group))),
            op(
                "post", "/pages/{page_id}/component-groups", "Create a component group (never empty)", .editPage,
                body: "StatuspageV1ComponentGroupBody", success: (201, group)),
            op(
                "get", "/pages/{page_id}/component-groups/{id}", "A component group", .readPage, parameters: [gid],
                success: (200, group)),
            op(
                "delete", "/pages/{page_id}/component-groups/{id}", "Delete a component group (its components stay)",
                .editPage,
                parameters: [gid], success: (200, group), more: [422, 503]),
            op(
                "get", "/pages/{page_id}/component-groups/{id}/uptime", "A group's uptime over days", .readPage,
                parameters: [gid] + range, success: (200, S.ref("StatuspageV1Uptime")), more: [422]),
            op(
                "get", "/pages/{page_id}/incidents", "Incidents and maintenance, newest first", .readPage,
                parameters: paging + [P.query("q", S.string, "Only those whose name or updates contain this.")],
                success: (200, S.array(incident)), more: [422]),
            op(
                "post", "/pages/{page_id}/incidents",
                "Create an incident, or maintenance (status scheduled, scheduled_for)", .editPage,
                body: "StatuspageV1IncidentBody", success: (201, incident)),
            op(
                "get", "/pages/{page_id}/incidents/{incident_id}", "An incident or maintenance", .readPage,
                parameters: [iid],
                success: (200, incident)),
            op(
                "delete", "/pages/{page_id}/incidents/{incident_id}", "Delete an incident or maintenance", .editPage,
                parameters: [iid], success: (200, incident), more: [422, 503]),
            op(
                "get", "/organizations/{organization_id}/users", "Team members and open invitations", .readOrganization,
                parameters: paging, success: (200, S.array(user))),
            op(
                "post", "/organizations/{organization_id}/users", "Invite a user (statusd takes no password for them)",
                .runTeam,
                body: "StatuspageV1UserBody", success: (201, user)),
            op(
                "delete", "/organizations/{organization_id}/users/{user_id}", "Remove a member or revoke an invitation",
                .runTeam,
                parameters: [id("user_id")], success: (200, user), more: [422, 503]),
        ]
        for (path, summary) in [
            ("unresolved", "Unresolved incidents, newest first"), ("scheduled", "Every maintenance, newest first"),
            ("upcoming", "Maintenance not yet started, soonest first"),
            ("active_maintenance", "Maintenance in progress or verifying"),
        ] {
            operations.append(
                op(
                    "get", "/pages/{page_id}/incidents/" + path, summary, .readPage, parameters: paging,
                    success: (200, S.array(incident)), more: [422]))
        }
        operations += subscriberOperations
        for method in ["patch", "put"] {
            operations += [
                op(
                    method, "/pages/{page_id}",
                    "Change a page: name, time_zone, subdomain (slug), domain, the allow_*_subscribers switches",
                    .editSettings,
                    body: "StatuspageV1PageBody", success: (200, S.ref("StatuspageV1Page"))),
                op(
                    method, "/pages/{page_id}/components/{component_id}", "Change a component (status among them)",
                    .editPage,
                    parameters: [cid], body: "StatuspageV1ComponentBody", success: (200, component)),
                op(
                    method, "/pages/{page_id}/component-groups/{id}", "Change a group; components replaces its members",
                    .editPage,
                    parameters: [gid], body: "StatuspageV1ComponentGroupBody", success: (200, group)),
                op(
                    method, "/pages/{page_id}/incidents/{incident_id}",
                    "Change an incident; a status or body appends an update", .editPage, parameters: [iid],
                    body: "StatuspageV1IncidentBody", success: (200, incident)),
                op(
                    method, "/pages/{page_id}/incidents/{incident_id}/incident_updates/{incident_update_id}",
                    "Correct the text of a posted update", .editPage, parameters: [iid, id("incident_update_id")],
                    body: "StatuspageV1IncidentUpdateBody", success: (200, S.ref("StatuspageIncidentUpdate"))),
            ]
        }
        return operations
    }()

    /// `/subscribers` of the page and of one incident (`V1SubscriberRoutes`).
    private static var subscriberOperations: [Op] {
        let subscriber = S.ref("StatuspageV1Subscriber")
        let sid = id("subscriber_id")
        let iid = id("incident_id")
        let page = "/pages/{page_id}/subscribers"
        let incident = "/pages/{page_id}/incidents/{incident_id}/subscribers"
        let types = S.enumeration(OpenAPIStatuspageV1.subscriberTypes)
        let states = S.enumeration(SubscriberState.allCases.map(\.rawValue) + ["all"])
        let filters = [
            P.query("type", types, "Only subscribers of this type."),
            P.query("state", states, "Only subscribers in this state (default active; all for every state)."),
        ]
        let listing =
            filters + [
                P.query("q", S.string, "Only those whose address (a URL masked) contains this."),
                P.query(
                    "sort_field", S.enumeration(["primary", "created_at", "quarantined_at", "relevance"]), "Order."),
                P.query("sort_direction", S.enumeration(["asc", "desc"]), "Direction of the order."),
                P.query(
                    "limit", ["type": "integer", "minimum": 1],
                    "At most this many (with q: 100 at most and by default; without: every one up to 10,000)."),
                P.query("page", ["type": "integer", "minimum": 0], "Page offset, from 0: skips page x limit."),
            ]
        let bulk = S.ref("StatuspageV1SubscriberBulkAnswer")
        var operations: [Op] = [
            op(
                "get", page, "The page's subscribers", .readSubscribers, parameters: listing,
                success: (200, S.array(subscriber)),
                more: [422]),
            op(
                "post", page, "Add a subscriber (email, endpoint + mode, or phone_number)", .manageSubscribers,
                body: "StatuspageV1SubscriberBody", success: (201, subscriber), more: [422]),
            op(
                "get", page + "/count", "How many subscribers of each type", .countSubscribers, parameters: filters,
                success: (200, S.ref("StatuspageV1SubscriberCount")), more: [422]),
            op(
                "get", page + "/histogram_by_state", "How many subscribers of each type in each state",
                .countSubscribers,
                success: (200, S.ref("StatuspageV1SubscriberHistogram"))),
            op(
                "get", page + "/unsubscribed",
                "Unsubscribed subscribers: always empty, statusd forgets an address that leaves", .readSubscribers,
                parameters: listing, success: (200, S.array(subscriber)), more: [422]),
            op(
                "post", page + "/reactivate", "Reactivate quarantined subscribers (ids or all)", .manageSubscribers,
                body: "StatuspageV1SubscriberBulkBody", success: (202, bulk), more: [422]),
            op(
                "post", page + "/unsubscribe", "Unsubscribe subscribers (ids or all, of a type and state)",
                .manageSubscribers,
                body: "StatuspageV1SubscriberBulkBody", success: (202, bulk), more: [422]),
            op(
                "post", page + "/resend_confirmation", "Mail unconfirmed email subscribers their link again",
                .manageSubscribers,
                body: "StatuspageV1SubscriberBulkBody", success: (202, bulk), more: [422]),
            op(
                "get", page + "/{subscriber_id}", "A subscriber", .readSubscribers, parameters: [sid],
                success: (200, subscriber)),
            op(
                "patch", page + "/{subscriber_id}", "Change the components a subscriber follows", .manageSubscribers,
                parameters: [sid],
                body: "StatuspageV1SubscriberComponentsBody", success: (200, subscriber), more: [422]),
            op(
                "delete", page + "/{subscriber_id}", "Unsubscribe a subscriber (the answer is it as it was)",
                .manageSubscribers,
                parameters: [sid], success: (200, subscriber)),
            op(
                "post", page + "/{subscriber_id}/resend_confirmation", "Mail the confirmation link again",
                .manageSubscribers,
                parameters: [sid], success: (202, subscriber), more: [422]),
            op(
                "get", incident, "The subscribers of one incident", .readSubscribers, parameters: [iid] + listing,
                success: (200, S.array(subscriber)), more: [422]),
            op(
                "post", incident, "Add a subscriber to one incident", .manageSubscribers, parameters: [iid],
                body: "StatuspageV1SubscriberBody", success: (201, subscriber), more: [422]),
            op(
                "get", incident + "/{subscriber_id}", "A subscriber of one incident", .readSubscribers,
                parameters: [iid, sid],
                success: (200, subscriber)),
            op(
                "delete", incident + "/{subscriber_id}", "Unsubscribe a subscriber of one incident", .manageSubscribers,
                parameters: [iid, sid], success: (200, subscriber)),
            op(
                "post", incident + "/{subscriber_id}/resend_confirmation", "Mail the confirmation link again",
                .manageSubscribers,
                parameters: [iid, sid], success: (202, subscriber), more: [422]),
        ]
        for index in operations.indices where operations[index].method != "get" {
            operations[index].more.insert(503)
        }
        return operations
    }

    /// Statuspage's subscriber types and statusd's chat channels (`integration_partner` has none here).
    private static let subscriberTypes = SubscriberChannel.allCases.map(\.rawValue) + ["integration_partner"]

    // MARK: Schemas

    /// A v2 object's schema with v1's members added or replaced (v1 objects are v2's and more).
    private static func extending(_ name: String, _ members: [String: JSONValue], optional: Set<String>)
        -> JSONValue
    {
        let base = OpenAPIStatuspage.schemas[name]?.members["properties"]?.members ?? [:]
        return S.object(base.merging(members) { $1 }, optional: optional)
    }

    package static let schemas: [String: JSONValue] = [
        "StatuspageError": S.object(["error": S.string]),
        "StatuspageV1Component": extending(
            "StatuspageComponent", ["automation_email": S.nullable(S.string)], optional: ["components"]),
        "StatuspageV1ComponentGroup": S.object([
            "id": S.id(GroupID.self), "page_id": S.id(OrgID.self), "name": S.string,
            "description": S.nullable(S.string), "components": S.array(S.id(ServiceID.self)), "position": S.integer,
            "created_at": S.dateTime, "updated_at": S.dateTime,
        ]),
        "StatuspageV1Incident": extending(
            "StatuspageIncident",
            [
                "components": S.array(S.ref("StatuspageV1Component")), "description": S.nullable(S.string),
                "impact_override": S.nullable(S.string), "metadata": ["type": "object"],
                "reminder_intervals": S.nullable(S.string), "scheduled_for": S.nullable(S.dateTime),
                "scheduled_until": S.nullable(S.dateTime), "scheduled_remind_prior": S.boolean,
                "scheduled_reminded_at": S.nullable(S.dateTime), "scheduled_auto_in_progress": S.boolean,
                "scheduled_auto_completed": S.boolean, "auto_transition_to_maintenance_state": S.boolean,
                "auto_transition_to_operational_state": S.boolean,
                "auto_transition_deliver_notifications_at_start": S.boolean,
                "auto_transition_deliver_notifications_at_end": S.boolean, "postmortem_body": S.nullable(S.string),
                "postmortem_body_last_updated_at": S.nullable(S.dateTime), "postmortem_ignored": S.boolean,
                "postmortem_notified_subscribers": S.boolean, "postmortem_notified_twitter": S.boolean,
                "postmortem_published_at": S.nullable(S.dateTime),
            ], optional: ["description"]),
        "StatuspageV1Page": S.object(
            Dictionary(
                uniqueKeysWithValues: [
                    "name", "subdomain", "url", "time_zone", "branding",
                ].map { ($0, S.string) }
                    + [
                        "page_description", "headline", "domain", "support_url", "notifications_from_email",
                        "notifications_email_footer", "twitter_username", "ip_restrictions", "city", "state", "country",
                        "css_body_background_color", "css_font_color", "css_light_font_color", "css_greens",
                        "css_yellows",
                        "css_oranges", "css_blues", "css_reds", "css_border_color", "css_graph_color", "css_link_color",
                        "css_no_data", "favicon_logo", "transactional_logo", "hero_cover", "email_logo", "twitter_logo",
                    ].map { ($0, S.nullable(S.string)) }
                    + [
                        "hidden_from_search", "allow_page_subscribers", "allow_incident_subscribers",
                        "allow_email_subscribers", "allow_sms_subscribers", "allow_rss_atom_feeds",
                        "allow_webhook_subscribers", "viewers_must_be_team_members",
                    ].map { ($0, S.boolean) } + [
                        ("id", S.id(OrgID.self)), ("created_at", S.dateTime), ("updated_at", S.dateTime),
                        ("activity_score", S.integer),
                    ])),
        "StatuspageV1Uptime": S.object([
            "range_start": S.string, "range_end": S.string, "uptime_percentage": ["type": "number"],
            "major_outage": S.integer, "partial_outage": S.integer, "warnings": S.array(S.string), "id": S.string,
            "name": S.string, "related_events": S.array(S.object(["id": S.string, "name": S.string])),
        ]),
        "StatuspageV1User": S.object(
            [
                "id": S.string, "organization_id": S.id(OrgID.self), "email": S.string, "first_name": S.string,
                "last_name": S.string, "created_at": S.dateTime, "updated_at": S.dateTime,
                "role": S.enumeration(Role.self), "invitation_pending": S.boolean, "invitation_url": S.string,
            ], optional: ["invitation_url"]),
        "StatuspageV1Subscriber": S.object([
            "id": S.id(SubscriberID.self), "page_id": S.id(OrgID.self), "mode": S.enumeration(SubscriberChannel.self),
            "state": S.enumeration(SubscriberState.self), "email": S.nullable(S.string),
            "endpoint": S.nullable(S.string), "phone_number": S.nullable(S.string),
            "phone_country": S.nullable(S.string), "display_phone_number": S.nullable(S.string),
            "obfuscated_channel_name": S.nullable(S.string), "workspace_name": S.nullable(S.string),
            "components": S.array(S.id(ServiceID.self)), "incident_id": S.nullable(S.id(IncidentID.self)),
            "quarantined_at": S.nullable(S.dateTime), "purge_at": S.nullable(S.dateTime),
            "page_access_user_id": S.nullable(S.string), "created_at": S.dateTime,
        ]),
        "StatuspageV1SubscriberCount": S.object(
            Dictionary(uniqueKeysWithValues: subscriberTypes.map { ($0, S.integer) })),
        "StatuspageV1SubscriberHistogram": S.object(
            Dictionary(
                uniqueKeysWithValues: subscriberTypes.map {
                    (
                        $0,
                        S.object(
                            Dictionary(uniqueKeysWithValues: SubscriberState.allCases.map { ($0.rawValue, S.integer) }))
                    )
                })),
        "StatuspageV1SubscriberBulkAnswer": S.object(["subscribers": S.array(S.id(SubscriberID.self))]),
        "StatuspageV1SubscriberBody": S.input([
            "subscriber": S.input([
                "email": S.string, "endpoint": S.string,
                "mode": S.enumeration(["webhook", "slack", "teams", "discord"]),
                "phone_number": S.string, "component_ids": S.array(S.string),
                "skip_confirmation_notification": S.boolean,
            ])
        ]),
        "StatuspageV1SubscriberComponentsBody": S.input(["component_ids": S.array(S.string)]),
        "StatuspageV1SubscriberBulkBody": S.input(
            [
                "subscribers": ["oneOf": [S.array(S.string), S.enumeration(["all"])]], "type": S.string,
                "state": S.string, "skip_unsubscription_notification": S.boolean,
            ], required: ["subscribers"]),
        "StatuspageV1ComponentBody": S.input([
            "component": S.input([
                "name": S.string, "description": S.string, "status": S.enumeration(ServiceStatus.self),
                "group_id": S.nullable(S.string), "position": S.integer, "showcase": S.boolean,
                "only_show_if_degraded": S.boolean, "start_date": S.string,
            ])
        ]),
        "StatuspageV1ComponentGroupBody": S.input([
            "description": S.string,
            "component_group": S.input(["name": S.string, "components": S.array(S.string), "position": S.integer]),
        ]),
        "StatuspageV1IncidentBody": S.input([
            "incident": S.input([
                "name": S.string, "status": S.string, "impact_override": S.enumeration(IncidentImpact.self),
                "body": S.string, "component_ids": S.array(S.string),
                "components": ["type": "object", "additionalProperties": S.enumeration(ServiceStatus.self)],
                "scheduled_for": S.dateTime, "scheduled_until": S.dateTime, "scheduled_auto_in_progress": S.boolean,
                "scheduled_auto_completed": S.boolean, "deliver_notifications": S.boolean,
            ])
        ]),
        "StatuspageV1IncidentUpdateBody": S.input([
            "incident_update": S.input([
                "body": S.string, "display_at": S.dateTime, "deliver_notifications": S.boolean,
                "wants_twitter_update": S.boolean,
            ])
        ]),
        "StatuspageV1PageBody": S.input([
            "page": S.input([
                "name": S.string, "time_zone": S.string, "subdomain": S.string, "domain": S.nullable(S.string),
                "allow_page_subscribers": S.boolean, "allow_incident_subscribers": S.boolean,
                "allow_email_subscribers": S.boolean, "allow_sms_subscribers": S.boolean,
                "allow_webhook_subscribers": S.boolean,
            ])
        ]),
        "StatuspageV1UserBody": S.input([
            "user": S.input([
                "email": S.string, "role": S.enumeration(Role.self), "first_name": S.string, "last_name": S.string,
                "password": S.string,
            ])
        ]),
    ]
}
