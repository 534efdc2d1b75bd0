import Engine
import Live
import Wire

/// Every operation of this target's routes, by area (the Statuspage dialect contributes its own). `OpenAPIDocument.check` holds the list to the router.
package enum OpenAPIPaths {
    package typealias Op = OpenAPIOperation
    private typealias S = Schema
    private typealias P = OpenAPIParameters

    package static var all: [OpenAPIOperation] {
        operations + accounts + organizations + team + keys + subscribers + services + groups + incidents
            + maintenance + publicReads + pages
    }

    /// The public HTML pages (`StatusPageRoutes`); their stylesheet and script are unlisted files.
    package static let pages: [Op] = {
        let tag = "Pages"
        let html = (status: 200, schema: JSONValue?.none)
        return [
            Op(
                method: "get", path: "/status/{slug}", summary: "The status page (HTML, live with JavaScript)",
                tag: tag,
                access: .open, parameters: [P.slug, P.ifNoneMatch], success: html, more: [304, 404]),
            Op(
                method: "get", path: "/status/{slug}/theme.css", summary: "The organization's accent colour (CSS)",
                tag: tag, access: .open, parameters: [P.slug, P.ifNoneMatch], success: html, more: [304, 404]),
            Op(
                method: "get", path: "/status/{slug}/history", summary: "Past incidents, 20 a page (HTML)", tag: tag,
                access: .open, parameters: [P.slug, P.cursor], success: html, more: [404, 422]),
            Op(
                method: "get", path: "/status/{slug}/incidents/{id}", summary: "An incident's permalink (HTML)",
                tag: tag, access: .open, parameters: [P.slug, P.id(IncidentID.self), P.ifNoneMatch], success: html,
                more: [304, 404]),
            Op(
                method: "get", path: "/status/{slug}/maintenance/{id}",
                summary: "A maintenance window's permalink (HTML)",
                tag: tag, access: .open, parameters: [P.slug, P.id(MaintenanceID.self), P.ifNoneMatch], success: html,
                more: [304, 404]),
            Op(
                method: "get", path: "/", summary: "The dashboard's landing: sign in, choose an organization (HTML)",
                tag: tag, access: .open, parameters: [P.ifNoneMatch], success: html, more: [304]),
            Op(
                method: "get", path: "/dashboard",
                summary: "The admin dashboard (HTML; the API with the session cookie)",
                tag: tag, access: .open, parameters: [P.ifNoneMatch], success: html, more: [304]),
            Op(
                method: "get", path: "/accept-invitation", summary: "Accept an invitation (HTML; ?token=...)", tag: tag,
                access: .open, parameters: [P.query("token", S.string, "The invitation's token."), P.ifNoneMatch],
                success: html, more: [304]),
            Op(
                method: "get", path: "/subscriptions/{org}/{subscriber}/unsubscribe",
                summary: "The unsubscribe link's page: a button, nothing changed by the GET (HTML)", tag: tag,
                access: .open, parameters: subscriptionLink, success: html, more: [404], errorShape: .page),
            Op(
                method: "post", path: "/subscriptions/{org}/{subscriber}/unsubscribe",
                summary: "Unsubscribe (the page's button, or RFC 8058 one-click) (HTML)", tag: tag, access: .open,
                parameters: subscriptionLink, success: html, more: [404], errorShape: .page),
            Op(
                method: "get", path: "/subscriptions/{org}/{subscriber}/confirm",
                summary: "The confirmation link's page: a button, nothing changed by the GET (HTML)", tag: tag,
                access: .open, parameters: subscriptionLink, success: html, more: [404], errorShape: .page),
            Op(
                method: "post", path: "/subscriptions/{org}/{subscriber}/confirm",
                summary: "Confirm an email subscription (double opt-in) (HTML)", tag: tag, access: .open,
                parameters: subscriptionLink, success: html, more: [404], errorShape: .page),
            Op(
                method: "get", path: "/subscriptions/{org}/{subscriber}/manage",
                summary: "The manage link's page: services followed, unsubscribe (HTML)", tag: tag,
                access: .open, parameters: subscriptionLink, success: html, more: [404], errorShape: .page),
            Op(
                method: "post", path: "/subscriptions/{org}/{subscriber}/manage",
                summary: "Choose the services a subscription follows (none: all) (HTML)", tag: tag, access: .open,
                parameters: subscriptionLink, body: "SubscriptionChoice", bodyRequired: false, success: html,
                more: [400, 404, 413, 422], errorShape: .page, bodyType: "application/x-www-form-urlencoded"),
            Op(
                method: "post", path: "/status/{slug}/subscribe",
                summary: "Subscribe by email from the status page's form (HTML; double opt-in)", tag: tag,
                access: .open, parameters: [P.slug], body: "SubscriptionForm", success: (202, nil),
                more: [400, 404, 413, 422, 429], errorShape: .page, bodyType: "application/x-www-form-urlencoded"),
        ]
    }()

    /// The path and token of a link in a notification.
    private static let subscriptionLink: [JSONValue] = [
        P.path("org", S.id(OrgID.self)), P.path("subscriber", S.id(SubscriberID.self)),
        P.query("token", S.string, "The link's token, from the notification."),
    ]

    package static let operations: [Op] = [
        Op(
            method: "get", path: "/health", summary: "Liveness, with the event log's and snapshots' state",
            tag: "Operations", access: .open, success: (200, S.ref("Health")), more: [503],
            description:
                "503 once the local event log (WAL) has failed for good: writes are refused until a restart. A shared log that is unreachable does not fail it (see /ready)."
        ),
        Op(
            method: "get", path: "/api/healthcheck", summary: "The same as /health, under the other seed's path",
            tag: "Operations", access: .open, success: (200, S.ref("Health")), more: [503]),
        Op(
            method: "get", path: "/ready", summary: "Readiness: recovered, and the event log takes writes",
            tag: "Operations", access: .open, success: (200, S.object(["status": S.enumeration(["ready"])])),
            more: [503],
            description:
                "503 (with Retry-After) while the event log on PostgreSQL cannot be reached: reads go on, writes answer 503, and a load balancer should send writes elsewhere. /health stays 200 meanwhile."
        ),
        Op(
            method: "get", path: "/metrics", summary: "Prometheus metrics (text format)", tag: "Operations",
            access: .open, success: (200, nil)),
        Op(
            method: "get", path: "/openapi.json", summary: "This document", tag: "Operations", access: .open,
            parameters: [P.ifNoneMatch], success: (200, ["type": "object"]), more: [304]),
        Op(
            method: "get", path: "/docs", summary: "This document, browsable (HTML)", tag: "Operations",
            access: .open, parameters: [P.ifNoneMatch], success: (200, nil), more: [304]),
    ]

    package static let accounts: [Op] = [
        Op(
            method: "post", path: "/api/auth/signup", summary: "Create an account and sign in", tag: "Accounts",
            access: .open, body: "Credentials", success: (201, S.ref("Session")), more: [403, 409],
            description:
                "Open, invite-only or off by configuration (403 when off or without a matching invitation)."),
        Op(
            method: "post", path: "/api/auth/login", summary: "Sign in with email and password", tag: "Accounts",
            access: .open, body: "Credentials", success: (200, S.ref("Session")), more: [401, 429],
            description:
                "After repeated failures for an email from one address, or from one address over many emails, the caller waits (429 with Retry-After, doubling up to 15 minutes); other addresses are not affected."
        ),
        Op(
            method: "post", path: "/api/auth/logout", summary: "End this session", tag: "Accounts",
            access: .person, success: (204, nil), more: [400, 503]),
        Op(
            method: "get", path: "/api/auth/me", summary: "The signed-in account and its organizations",
            tag: "Accounts", access: .person, success: (200, S.ref("Me"))),
        Op(
            method: "put", path: "/api/auth/password", summary: "Change the password (opens a new session)",
            tag: "Accounts", access: .person, body: "PasswordChange", success: (200, S.ref("Session")),
            more: [403]),
    ]

    package static let organizations: [Op] = [
        Op(
            method: "get", path: "/api/organizations", summary: "The caller's organizations", tag: "Organizations",
            access: .member(.readOrganization),
            success: (200, S.list(S.ref("Organization")))),
        Op(
            method: "post", path: "/api/organizations", summary: "Create an organization; the caller owns it",
            tag: "Organizations", access: .person, body: "OrganizationInput",
            success: (201, S.ref("Organization")), more: [409]),
        Op(
            method: "get", path: "/api/organizations/current", summary: "The organization the request acts on",
            tag: "Organizations", access: .member(.readOrganization), success: (200, S.ref("Organization"))),
        Op(
            method: "get", path: "/api/organizations/check-user/{user_id}",
            summary: "An account's organizations (itself, or an admin of a shared organization)",
            tag: "Organizations", access: .member(.runTeam), parameters: [P.path("user_id", S.id(AccountID.self))],
            success: (200, S.ref("UserOrganizations"))),
        Op(
            method: "put", path: "/api/organizations/{id}", summary: "Change settings",
            tag: "Organizations", access: .member(.editSettings), parameters: [P.id(OrgID.self)],
            body: "OrganizationInput",
            success: (200, S.ref("Organization")), more: [409]),
        Op(
            method: "delete", path: "/api/organizations/{id}", summary: "Delete the organization",
            tag: "Organizations", access: .member(.deleteOrganization), parameters: [P.id(OrgID.self)],
            success: (204, nil), more: [503]),
        Op(
            method: "get", path: "/api/organizations/{id}/export", summary: "Everything, as one JSON document",
            tag: "Organizations", access: .member(.exportOrganization), parameters: [P.id(OrgID.self)],
            success: (200, S.ref("Export"))),
        Op(
            method: "get", path: "/api/organizations/{id}/domain",
            summary: "The custom domain and what to publish to prove control of it", tag: "Organizations",
            access: .member(.editSettings),
            parameters: [P.id(OrgID.self)], success: (200, S.ref("CustomDomain"))),
        Op(
            method: "post", path: "/api/organizations/{id}/domain/verify",
            summary: "Check the DNS TXT record or the HTTP file; the domain is served once one passes",
            tag: "Organizations", access: .member(.editSettings), parameters: [P.id(OrgID.self)],
            body: "DomainVerifyInput", bodyRequired: false,
            success: (200, S.ref("CustomDomain"))),
    ]

    package static let team: [Op] = [
        Op(
            method: "get", path: "/api/team/members", summary: "Members", tag: "Team",
            access: .member(.readOrganization),
            parameters: [P.limit, P.cursor], success: (200, S.list(S.ref("Member"))), more: [422]),
        Op(
            method: "get", path: "/api/team/members/me", summary: "The caller's membership", tag: "Team",
            access: .member(.readOrganization),
            success: (200, S.ref("Member"))),
        Op(
            method: "put", path: "/api/team/members/{id}", summary: "Change a member's role", tag: "Team",
            access: .member(.runTeam),
            parameters: [P.id(MemberID.self)], body: "RoleInput", success: (200, S.ref("Member")), more: [409]),
        Op(
            method: "delete", path: "/api/team/members/{id}", summary: "Remove a member (admin, or leave)",
            tag: "Team", access: .member(.leave), parameters: [P.id(MemberID.self)], success: (204, nil),
            more: [409, 422, 503]),
        Op(
            method: "post", path: "/api/team/invite", summary: "Invite by email with a role", tag: "Team",
            access: .member(.runTeam),
            body: "InviteInput", success: (201, S.ref("InvitationCreated")), more: [409],
            links: [.init(operation: "getApiTeamInvitationsToken", parameter: "token", field: "token")]),
        Op(
            method: "get", path: "/api/team/invitations/{token}", summary: "What an invitation offers",
            tag: "Team", access: .open, parameters: [P.path("token", S.string)],
            success: (200, S.ref("Invitation")), more: [404]),
        Op(
            method: "post", path: "/api/team/invitations/{token}/accept", summary: "Join as the signed-in account",
            tag: "Team", access: .person, parameters: [P.path("token", S.string)],
            success: (200, S.ref("Member")), more: [403, 404, 409, 422, 503]),
    ]

    package static let keys: [Op] = [
        Op(
            method: "get", path: "/api/keys", summary: "API keys (admin; never the secrets)", tag: "API keys",
            access: .member(.readKeys),
            parameters: [P.limit, P.cursor], success: (200, S.list(S.ref("APIKey"))), more: [422]),
        Op(
            method: "post", path: "/api/keys", summary: "Create an API key; the answer holds its secret, once",
            tag: "API keys", access: .member(.manageKeys), body: "KeyInput", success: (201, S.ref("APIKey")),
            more: [409],
            links: [.init(operation: "deleteApiKeysId")]),
        Op(
            method: "delete", path: "/api/keys/{id}", summary: "Revoke an API key", tag: "API keys",
            access: .member(.manageKeys),
            parameters: [P.id(KeyID.self)], success: (204, nil), more: [503]),
    ]

    package static let subscribers: [Op] = {
        let tag = "Subscribers"
        let one = (status: 200, schema: Optional(S.ref("Subscriber")))
        return [
            Op(
                method: "get", path: "/api/subscribers", summary: "Subscribers, in id order", tag: tag,
                access: .member(.readSubscribers),
                parameters: [
                    P.query("state", S.enumeration(SubscriberState.self), "Only subscribers in this state."),
                    P.query("type", S.enumeration(SubscriberChannel.self), "Only subscribers of this type."),
                    P.query("q", S.string, "Only those whose address (a URL masked) or contact contains this."),
                    P.limit, P.cursor,
                ], success: (200, S.list(S.ref("Subscriber"))), more: [422]),
            Op(
                method: "post", path: "/api/subscribers",
                summary: "Add a subscriber; a signed webhook's secret is in this answer only", tag: tag,
                access: .member(.manageSubscribers),
                body: "SubscriberInput", success: (201, S.ref("Subscriber")), more: [404, 409],
                links: [.init(operation: "deleteApiSubscribersId")]),
            Op(
                method: "get", path: "/api/subscribers/counts", summary: "How many subscribers, by state and type",
                tag: tag, access: .member(.countSubscribers), success: (200, S.ref("SubscriberCounts"))),
            {
                var export = Op(
                    method: "get", path: "/api/subscribers/export",
                    summary: "Every subscriber as CSV, endpoints masked", tag: tag, access: .member(.readSubscribers),
                    success: (200, ["type": "string"]))
                export.successType = "text/csv"
                return export
            }(),
            Op(
                method: "get", path: "/api/subscribers/{id}", summary: "A subscriber", tag: tag,
                access: .member(.readSubscribers),
                parameters: [P.id(SubscriberID.self)], success: one, more: [404]),
            Op(
                method: "put", path: "/api/subscribers/{id}", summary: "The components a subscriber follows",
                tag: tag, access: .member(.manageSubscribers), parameters: [P.id(SubscriberID.self)],
                body: "SubscriberComponentsInput", success: one,
                more: [404]),
            Op(
                method: "post", path: "/api/subscribers/{id}/reactivate",
                summary: "Deliver to a quarantined subscriber again", tag: tag, access: .member(.manageSubscribers),
                parameters: [P.id(SubscriberID.self)], success: one, more: [404]),
            Op(
                method: "delete", path: "/api/subscribers/{id}", summary: "Remove a subscriber", tag: tag,
                access: .member(.manageSubscribers),
                parameters: [P.id(SubscriberID.self)], success: (204, nil), more: [404, 503]),
            Op(
                method: "get", path: "/api/notifications",
                summary: "The delivery log: recent notifications, newest first, and how each went", tag: tag,
                access: .member(.readDeliveries),
                success: (200, S.object(["items": S.array(S.ref("NotificationLogEntry"))]))),
            Op(
                method: "get", path: "/api/subscription-settings", summary: "Which ways of subscribing the page offers",
                tag: tag, access: .member(.readOrganization), success: (200, S.ref("SubscriptionSettings"))),
            Op(
                method: "put", path: "/api/subscription-settings",
                summary: "Switch ways of subscribing on or off", tag: tag, access: .member(.manageSubscribers),
                body: "SubscriptionSettingsInput",
                success: (200, S.ref("SubscriptionSettings"))),
        ]
    }()
}
