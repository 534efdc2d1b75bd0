import Engine
import Live
package import Wire

/// `components.schemas` of the OpenAPI document: every body statusd reads or writes, member for
/// member as the encoders in `Representations.swift`, the route files and `PublicSummary` write them.
package enum OpenAPISchemas {
    package static var all: [String: JSONValue] {
        errors.merging(accounts) { $1 }.merging(resources) { $1 }.merging(team) { $1 }
            .merging(publicDocuments) { $1 }.merging(operations) { $1 }
    }

    private typealias S = Schema

    private static let errors: [String: JSONValue] = [
        "Problem": S.object(
            [
                "type": S.string, "title": S.string, "status": S.integer, "detail": S.string,
                "errors": S.array(S.object(["field": S.string, "message": S.string])),
            ], optional: ["errors"])
    ]

    private static let accounts: [String: JSONValue] = [
        "Account": S.object(["id": S.id(AccountID.self), "email": S.string, "name": S.string, "created_at": S.dateTime]
        ),
        "Session": S.object([
            "account": S.ref("Account"), "token": S.string, "expires_at": S.dateTime, "csrf_token": S.string,
        ]),
        "Me": S.object(
            [
                "account": S.ref("Account"),
                "organizations": S.array(
                    S.object([
                        "id": S.id(OrgID.self), "slug": S.string, "name": S.string, "role": S.enumeration(Role.self),
                    ])),
                "csrf_token": S.string,
            ], optional: ["csrf_token"]),
        "Credentials": S.input(
            [
                "email": S.string(maxLength: TextLimits.emailCharactersMax),
                "password": S.string(maxLength: PasswordPolicy.length.upperBound),
                "name": S.string(maxLength: TextLimits.nameCharactersMax),
                "invitation": S.string,
            ], required: ["email", "password"]),
        "SubscriptionRequest": S.input(
            [
                "email": S.string(maxLength: 254), "components": S.array(S.id(ServiceID.self)),
                "incident_id": S.id(IncidentID.self),
            ], required: ["email"]),
        "SubscriptionForm": S.input(["email": S.string(maxLength: 254)], required: ["email"]),
        "SubscriptionChoice": S.input(["components[]": S.array(S.id(ServiceID.self))]),
        "PasswordChange": S.input(
            ["current_password": S.string, "new_password": S.string(maxLength: PasswordPolicy.length.upperBound)],
            required: ["current_password", "new_password"]),
        "CustomDomain": S.object([
            "domain": S.string, "verified": S.boolean,
            "dns": S.object(["name": S.string, "type": S.enumeration(["TXT"]), "value": S.string]),
            "http": S.object(["url": S.string, "body": S.string]),
        ]),
        "DomainVerifyInput": S.input(["method": S.enumeration(["dns", "http"])]),
        "Organization": S.object([
            "id": S.id(OrgID.self), "slug": S.string, "name": S.string, "time_zone": S.string,
            "logo_url": S.nullable(S.string), "accent_color": S.nullable(S.string),
            "custom_domain": S.nullable(S.string), "created_at": S.dateTime, "updated_at": S.dateTime,
            "role": S.nullable(S.enumeration(Role.self)),
        ]),
        "OrganizationInput": S.input([
            "slug": ["type": "string", "pattern": "^[a-z0-9-]{2,40}$"],
            "name": S.string(maxLength: TextLimits.nameCharactersMax, minLength: 1),
            "time_zone": ["type": "string", "description": "An IANA time zone such as Europe/Paris."],
            "logo_url": S.nullable(["type": "string", "description": "An https URL."]),
            "accent_color": S.nullable(["type": "string", "pattern": "^#[0-9a-fA-F]{6}$"]),
            "custom_domain": S.nullable(S.string),
        ]),
        "UserOrganizations": S.object([
            "user_id": S.id(AccountID.self), "organizations": S.array(S.ref("Organization")),
        ]),
    ]

    private static let resources: [String: JSONValue] = [
        "Service": S.object([
            "id": S.id(ServiceID.self), "name": S.string, "description": S.string,
            "status": S.enumeration(ServiceStatus.self), "group_id": S.nullable(S.id(GroupID.self)),
            "position": S.integer, "created_at": S.dateTime, "updated_at": S.dateTime,
        ]),
        "ServiceInput": S.input([
            "name": S.string(maxLength: TextLimits.nameCharactersMax, minLength: 1),
            "description": S.string(maxLength: TextLimits.descriptionCharactersMax),
            "status": S.ref("ServiceStatusName"), "group_id": S.nullable(S.id(GroupID.self)),
            "position": S.integer,
        ]),
        "ServiceStatusName": S.enumeration(ServiceStatus.self).merging([
            "description":
                "Also accepted, in any case: Operational, Degraded, Partial Outage, Major Outage, Under Maintenance."
        ]),
        "ServiceStatusInput": S.input(["status": S.ref("ServiceStatusName")], required: ["status"]),
        "Group": S.object([
            "id": S.id(GroupID.self), "name": S.string, "description": S.string, "position": S.integer,
            "service_ids": S.array(S.id(ServiceID.self)), "created_at": S.dateTime, "updated_at": S.dateTime,
        ]),
        "GroupInput": S.input([
            "name": S.string(maxLength: TextLimits.nameCharactersMax, minLength: 1),
            "description": S.string(maxLength: TextLimits.descriptionCharactersMax), "position": S.integer,
        ]),
        "AffectedService": S.object([
            "service_id": S.id(ServiceID.self), "status": S.nullable(S.enumeration(ServiceStatus.self)),
        ]),
        "IncidentUpdate": S.object(
            [
                "id": S.id(UpdateID.self), "status": S.enumeration(IncidentStatus.self), "body": S.string,
                "author": S.string, "created_at": S.dateTime,
            ], optional: ["author"]),
        "Incident": S.object([
            "id": S.id(IncidentID.self), "name": S.string, "status": S.enumeration(IncidentStatus.self),
            "impact": S.enumeration(IncidentImpact.self), "affected_services": S.array(S.ref("AffectedService")),
            "updates": S.array(S.ref("IncidentUpdate")), "created_at": S.dateTime, "updated_at": S.dateTime,
            "resolved_at": S.nullable(S.dateTime),
        ]),
        "IncidentInput": S.input([
            "name": S.string(maxLength: TextLimits.nameCharactersMax, minLength: 1),
            "notify": [
                "type": "boolean",
                "description":
                    "Tell subscribers (Statuspage's deliver_notifications); absent: when services are named.",
            ],
            "status": S.enumeration(IncidentStatus.self), "impact": S.enumeration(IncidentImpact.self),
            "body": S.string(maxLength: TextLimits.bodyCharactersMax, minLength: 1),
            "affected_services": S.array([
                "oneOf": [
                    S.id(ServiceID.self),
                    S.input(
                        ["service_id": S.id(ServiceID.self), "status": S.ref("ServiceStatusName")],
                        required: ["service_id"]),
                ]
            ]),
        ]),
        "MaintenanceUpdate": S.object([
            "id": S.id(UpdateID.self), "status": S.enumeration(MaintenanceStatus.self), "body": S.string,
            "author": S.string, "created_at": S.dateTime,
        ]),
        "Maintenance": S.object([
            "id": S.id(MaintenanceID.self), "name": S.string, "description": S.string,
            "scheduled_start": S.dateTime, "scheduled_end": S.dateTime,
            "status": S.enumeration(MaintenanceStatus.self), "affected_services": S.array(S.id(ServiceID.self)),
            "auto_start": S.boolean, "auto_complete": S.boolean, "updates": S.array(S.ref("MaintenanceUpdate")),
            "created_at": S.dateTime, "updated_at": S.dateTime,
        ]),
        "MaintenanceInput": S.input([
            "name": S.string(maxLength: TextLimits.nameCharactersMax, minLength: 1),
            "description": S.string(maxLength: TextLimits.descriptionCharactersMax),
            "scheduled_start": S.dateTime, "scheduled_end": S.dateTime,
            "affected_services": S.array(S.id(ServiceID.self)), "auto_start": S.boolean, "auto_complete": S.boolean,
            "notify": [
                "type": "boolean",
                "description":
                    "Tell subscribers (Statuspage's deliver_notifications); absent: when services are named.",
            ],
        ]),
        "UpdateTextInput": S.input(
            ["body": S.string(maxLength: TextLimits.bodyCharactersMax, minLength: 1)], required: ["body"]),
        "MaintenanceStatusInput": S.input(
            [
                "status": S.enumeration(MaintenanceStatus.self),
                "body": S.string(maxLength: TextLimits.bodyCharactersMax),
                "notify": [
                    "type": "boolean",
                    "description":
                        "Tell subscribers (Statuspage's deliver_notifications); absent: when services are named.",
                ],
            ], required: ["status"]),
        "ServiceUptime": S.object([
            "service_id": S.id(ServiceID.self), "name": S.string, "uptime": S.nullable(["type": "number"]),
            "days": S.array(
                S.object([
                    "date": ["type": "string", "format": "date"], "uptime": S.nullable(["type": "number"]),
                    "worst_status": S.nullable(S.enumeration(ServiceStatus.self)),
                ])),
        ]),
        "StatusChange": S.object([
            "id": S.string, "from": S.nullable(S.enumeration(ServiceStatus.self)),
            "to": S.enumeration(ServiceStatus.self), "at": S.dateTime,
            "reason": S.enumeration([
                "manual", "created", "incident", "maintenance", "restored_after_incident",
                "restored_after_maintenance",
            ]),
            "reason_id": S.nullable(S.string), "by": S.string,
        ]),
    ]

    private static let team: [String: JSONValue] = [
        "Member": S.object(
            [
                "id": S.id(MemberID.self), "account_id": S.id(AccountID.self), "email": S.string, "name": S.string,
                "role": S.enumeration(Role.self), "joined_at": S.dateTime,
            ], optional: ["email", "name"]),
        "RoleInput": S.input(["role": S.enumeration(Role.self)], required: ["role"]),
        "InviteInput": S.input(
            ["email": S.string(maxLength: TextLimits.emailCharactersMax), "role": S.enumeration(Role.self)],
            required: ["email", "role"]),
        "InvitationCreated": S.object([
            "id": S.id(InvitationID.self), "email": S.string, "role": S.enumeration(Role.self),
            "expires_at": S.dateTime, "token": S.string, "accept_path": S.string,
        ]),
        "Invitation": S.object([
            "organization": S.string, "organization_slug": S.string, "email": S.string,
            "role": S.enumeration(Role.self), "expires_at": S.dateTime,
        ]),
        "APIKey": S.object(
            [
                "id": S.id(KeyID.self), "name": S.string, "role": S.enumeration(Role.self), "created_by": S.string,
                "created_at": S.dateTime, "last_used_at": S.dateTime,
                "token": ["type": "string", "description": "The secret, only in the answer that creates the key."],
            ], optional: ["last_used_at", "token"]),
        "Subscriber": S.object(
            [
                "id": S.id(SubscriberID.self), "type": S.enumeration(SubscriberChannel.self),
                "state": S.enumeration(SubscriberState.self), "email": S.string, "phone_number": S.string,
                "endpoint": [
                    "type": "string",
                    "description": "Scheme and host only: the whole URL is a secret (whoever has it can post).",
                ],
                "contact_email": S.string, "component_ids": S.array(S.id(ServiceID.self)),
                "incident_id": S.nullable(S.id(IncidentID.self)), "signed": S.boolean,
                "signing_secret": [
                    "type": "string",
                    "description":
                        "The Standard Webhooks key (whsec_...), only in the answer that creates a signed webhook.",
                ],
                "created_at": S.dateTime, "confirmed_at": S.nullable(S.dateTime),
                "quarantined_at": S.nullable(S.dateTime), "quarantine_reason": S.nullable(S.string),
                "purge_at": S.nullable(S.dateTime),
            ], optional: ["email", "phone_number", "endpoint", "contact_email", "signing_secret"]),
        "SubscriberInput": S.input(
            [
                "type": S.enumeration(SubscriberChannel.self),
                "email": S.string(maxLength: TextLimits.emailCharactersMax, minLength: 3),
                "phone_number": S.string, "endpoint": S.string(maxLength: 2_000, minLength: 1),
                "contact_email": S.string(maxLength: TextLimits.emailCharactersMax, minLength: 3),
                "component_ids": S.array(S.id(ServiceID.self)), "incident_id": S.id(IncidentID.self),
                "skip_confirmation_notification": S.boolean,
                "sign": ["type": "boolean", "description": "Sign each request (Standard Webhooks); webhooks only."],
            ], required: ["type"]),
        "SubscriberComponentsInput": S.input(
            ["component_ids": S.array(S.id(ServiceID.self))], required: ["component_ids"]),
        "SubscriberCounts": S.object([
            "total": S.integer,
            "by_state": S.object(
                Dictionary(uniqueKeysWithValues: SubscriberState.allCases.map { ($0.rawValue, S.integer) })),
            "by_type": S.object(
                Dictionary(uniqueKeysWithValues: SubscriberChannel.allCases.map { ($0.rawValue, S.integer) })),
        ]),
        "NotificationLogEntry": S.object(
            [
                "id": S.string,
                "kind": S.enumeration(["incident", "maintenance", "reminder", "component", "subscription"]),
                "title": S.string, "requested_at": S.dateTime, "recipients": S.integer, "sent": S.integer,
                "failed_attempts": S.integer, "retrying": S.integer, "quarantined": S.integer,
                "finished_at": S.nullable(S.dateTime),
                "failures": S.array(
                    S.object([
                        "subscriber_id": S.id(SubscriberID.self), "address": S.string, "reason": S.string,
                        "at": S.dateTime, "outcome": S.enumeration(["retrying", "quarantined"]),
                    ])),
            ], optional: ["finished_at"]),
        "SubscriptionSettings": S.object([
            "types": S.array(S.enumeration(SubscriberChannel.self)), "allow_incident_subscribers": S.boolean,
            "allow_component_subscribers": S.boolean,
        ]),
        "SubscriptionSettingsInput": S.input([
            "types": S.array(S.enumeration(SubscriberChannel.self)), "allow_incident_subscribers": S.boolean,
            "allow_component_subscribers": S.boolean,
        ]),
        "KeyInput": S.input(
            [
                "name": S.string(maxLength: TextLimits.nameCharactersMax, minLength: 1),
                "role": S.enumeration(Role.self),
            ],
            required: ["name", "role"]),
        "Export": S.object([
            "format_version": S.integer, "exported_at": S.dateTime, "organization": S.ref("Organization"),
            "services": S.array(S.ref("Service")), "groups": S.array(S.ref("Group")),
            "incidents": S.array(S.ref("Incident")), "maintenance": S.array(S.ref("Maintenance")),
            "members": S.array(
                S.object([
                    "id": S.id(MemberID.self), "account_id": S.id(AccountID.self), "role": S.enumeration(Role.self),
                    "joined_at": S.dateTime,
                ])),
            "invitations": S.array(
                S.object([
                    "id": S.id(InvitationID.self), "email": S.string, "role": S.enumeration(Role.self),
                    "created_at": S.dateTime, "expires_at": S.dateTime,
                ])),
            "api_keys": S.array(S.ref("APIKey")),
        ]),
    ]

    /// The public documents leave out what only members see (authors) and members that are empty.
    private static let publicDocuments: [String: JSONValue] = [
        "PageStatus": S.object([
            "indicator": S.enumeration(["none", "minor", "major", "critical", "maintenance"]),
            "description": S.string,
        ]),
        "PublicService": S.object(
            [
                "id": S.id(ServiceID.self), "name": S.string, "description": S.string,
                "status": S.enumeration(ServiceStatus.self), "group_id": S.id(GroupID.self), "position": S.integer,
                "created_at": S.dateTime, "updated_at": S.dateTime,
            ], optional: ["group_id"]),
        "PublicGroup": S.object([
            "id": S.id(GroupID.self), "name": S.string, "description": S.string, "position": S.integer,
            "service_ids": S.array(S.id(ServiceID.self)),
        ]),
        "PublicIncident": S.object(
            [
                "id": S.id(IncidentID.self), "name": S.string, "status": S.enumeration(IncidentStatus.self),
                "impact": S.enumeration(IncidentImpact.self), "affected_services": S.array(S.ref("AffectedService")),
                "updates": S.array(S.ref("IncidentUpdate")), "created_at": S.dateTime, "updated_at": S.dateTime,
                "resolved_at": S.nullable(S.dateTime),
            ], optional: ["resolved_at"]),
        "PublicMaintenance": S.object([
            "id": S.id(MaintenanceID.self), "name": S.string, "description": S.string,
            "status": S.enumeration(MaintenanceStatus.self), "scheduled_start": S.dateTime,
            "scheduled_end": S.dateTime, "affected_services": S.array(S.id(ServiceID.self)),
            "updates": S.array(
                S.object([
                    "id": S.id(UpdateID.self), "status": S.enumeration(MaintenanceStatus.self), "body": S.string,
                    "created_at": S.dateTime,
                ])),
        ]),
        "TimelineEntry": S.object(
            [
                "kind": S.enumeration(["incident_update", "maintenance_update"]), "id": S.id(UpdateID.self),
                "at": S.dateTime,
                "status": S.enumeration(
                    IncidentStatus.allCases.map(\.rawValue) + MaintenanceStatus.allCases.map(\.rawValue)),
                "body": S.string, "name": S.string, "incident_id": S.id(IncidentID.self),
                "maintenance_id": S.id(MaintenanceID.self),
            ], optional: ["incident_id", "maintenance_id"]),
        "PublicSummary": S.object([
            "organization": S.object(
                [
                    "id": S.id(OrgID.self), "slug": S.string, "name": S.string, "time_zone": S.string,
                    "logo_url": S.string, "accent_color": S.string,
                ], optional: ["logo_url", "accent_color"]),
            "status": S.ref("PageStatus"), "services": S.array(S.ref("PublicService")),
            "groups": S.array(S.ref("PublicGroup")), "active_incidents": S.array(S.ref("PublicIncident")),
            "active_maintenance": S.array(S.ref("PublicMaintenance")),
            "upcoming_maintenance": S.array(S.ref("PublicMaintenance")), "updated_at": S.dateTime,
            "seq": S.integer,
        ]),
    ]

    private static let operations: [String: JSONValue] = [
        "Health": S.object(
            [
                "status": S.enumeration(["ok", "failed"]),
                "version": S.string,
                "log": S.object(
                    [
                        "kind": S.enumeration(["wal", "postgresql"]), "position": S.integer, "batches": S.integer,
                        "records": S.integer, "fsync": S.string, "fdatasyncs": S.integer, "reachable": S.boolean,
                        "failure": S.string,
                    ], optional: ["fsync", "fdatasyncs", "failure"]),
                "snapshot": S.object([
                    "file": S.string, "bytes": S.integer, "replay_from": S.integer, "organizations": S.integer,
                    "at": S.dateTime,
                ]),
                "organizations": S.integer, "uptime_seconds": S.integer,
            ], optional: ["snapshot"])
    ]
}
