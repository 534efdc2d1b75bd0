import Engine
import Foundation

/// One record of every kind the log holds, with fixed ids and instants: the content of the golden
/// WAL files of format version 1, and the inputs of the codec round-trip tests.
enum SampleRecords {
    static func id<Kind>(_ prefix: String, _ suffix: String) -> Identifier<Kind> {
        Identifier<Kind>(prefix + "_" + String(repeating: "0", count: 20 - suffix.count) + suffix)!
    }

    static let org: OrgID = id("org", "1")
    static let owner: AccountID = id("usr", "1")
    static let service: ServiceID = id("svc", "1")
    static let group: GroupID = id("grp", "1")
    static let incident: IncidentID = id("inc", "1")
    static let window: MaintenanceID = id("mnt", "1")
    static let member: MemberID = id("mem", "1")
    static let invitation: InvitationID = id("inv", "1")
    static let key: KeyID = id("key", "1")
    static let session: SessionID = id("ses", "1")
    static let at = Date(timeIntervalSince1970: 1_795_000_000.123_456)

    static var changes: [OrgChange] {
        let settings = OrgSettings(
            slug: "acme", name: "Acme ✓", timeZone: "Europe/Paris",
            branding: Branding(logoURL: "https://acme.example/logo.png", accentColor: "#1a2b3c"),
            customDomain: "status.acme.example")
        let update = IncidentUpdate(
            id: id("upd", "1"), status: .investigating, body: "Looking <into> it", author: .account(owner),
            createdAt: at)
        let mUpdate = MaintenanceUpdate(
            id: id("upd", "2"), status: .inProgress, body: "Started", author: .system, createdAt: at)
        let affected = [
            AffectedService(serviceID: service, status: .majorOutage),
            AffectedService(serviceID: id("svc", "2"), status: nil),
        ]
        return [
            .organizationCreated(
                org, settings, owner: Member(id: member, accountID: owner, role: .owner, joinedAt: at)),
            .organizationUpdated(OrgSettings(slug: "acme-2", name: "Acme", timeZone: "UTC")),
            .serviceCreated(
                Service(
                    id: service, name: "API", description: "REST", status: .operational, statusReason: .created,
                    groupID: group,
                    position: 3, createdAt: at, updatedAt: at)),
            .serviceUpdated(service, ServiceDetails(name: "API v2", description: "", groupID: nil, position: 4)),
            .serviceStatusChanged(service, to: .partialOutage, reason: .incident(incident)),
            .serviceStatusChanged(service, to: .operational, reason: .restoredAfterMaintenance(window)),
            .serviceDeleted(id("svc", "3")),
            .groupCreated(
                ServiceGroup(id: group, name: "Core", description: "d", position: 0, createdAt: at, updatedAt: at)),
            .groupUpdated(group, GroupDetails(name: "Core 2", description: "", position: 1)),
            .groupDeleted(id("grp", "2")),
            .incidentCreated(
                Incident(
                    id: incident, name: "Outage", status: .investigating, impact: .critical, affected: affected,
                    updates: [update],
                    createdAt: at, updatedAt: at, resolvedAt: nil)),
            .incidentEdited(incident, name: "Big outage", impact: .major),
            .incidentUpdatePosted(incident, update, affected: affected),
            .incidentUpdatePosted(incident, update, affected: nil),
            .incidentDeleted(id("inc", "2")),
            .maintenanceScheduled(
                Maintenance(
                    id: window, name: "DB", description: "upgrade", scheduledStart: at, scheduledEnd: at + 3600,
                    status: .scheduled, affected: [service], autoStart: true, autoComplete: false, updates: [mUpdate],
                    createdAt: at, updatedAt: at)),
            .maintenanceEdited(
                window,
                MaintenanceDetails(
                    name: "DB", description: "", scheduledStart: at, scheduledEnd: at + 7200, affected: [],
                    autoStart: false,
                    autoComplete: true)),
            .maintenanceStatusChanged(window, mUpdate),
            .maintenanceDeleted(id("mnt", "2")),
            .memberAdded(
                Member(id: id("mem", "2"), accountID: id("usr", "2"), role: .editor, joinedAt: at),
                invitation: invitation),
            .memberRoleChanged(id("mem", "2"), .admin),
            .memberRemoved(id("mem", "2"), account: id("usr", "2")),
            .invitationCreated(
                Invitation(
                    id: invitation, email: "a@example.com", role: .viewer, tokenHash: [1, 2, 3],
                    invitedBy: .apiKey(key),
                    createdAt: at, expiresAt: at + 86_400)),
            .invitationRevoked(invitation),
            .keyCreated(
                APIKey(
                    id: key, name: "ci", role: .editor, secretHash: Array(repeating: 7, count: 32),
                    createdBy: .account(owner), createdAt: at)),
            .keyRevoked(key),
            .historyCompacted(before: at + 86_400),
            .organizationDeleted,
        ]
    }

    static var directoryChanges: [DirectoryChange] {
        [
            .accountCreated(
                Account(id: owner, email: "owner@example.com", name: "Owner", passwordHash: [9, 9], createdAt: at)),
            .accountCreated(
                Account(id: id("usr", "2"), email: "oidc@example.com", name: "O", passwordHash: nil, createdAt: at)),
            .passwordChanged(owner, passwordHash: [8]),
            .sessionOpened(Session(id: session, accountID: owner, createdAt: at, expiresAt: at + 3600)),
            .sessionClosed(session),
            .identityLinked(IdentityKey(issuer: "https://id.example/", subject: "auth0|42"), id("usr", "2")),
            .sessionsExpired(before: at + 7_200),
        ]
    }

    /// Every sample as log records, in the order the golden file holds them.
    static var records: [LogRecord] {
        let orgRecords = changes.enumerated().map { index, change in
            LogRecord.organization(
                org, OrgEvent(seq: Seq(UInt64(index + 1)), at: at, by: .account(owner), change: change))
        }
        let directoryRecords = directoryChanges.enumerated().map { index, change in
            LogRecord.directory(DirectoryEvent(seq: Seq(UInt64(index + 1)), at: at, change: change))
        }
        return orgRecords + directoryRecords
    }

    /// A second organization whose one command was sent with an Idempotency-Key: the records of WAL
    /// record version 2 (`commandKeyed`), in `snapshots/wal-v2` and, as state, in `snapshots/snapshot-v3`.
    static var keyedRecords: [LogRecord] {
        let org: OrgID = id("org", "2")
        let changes: [OrgChange] = [
            .organizationCreated(
                org, OrgSettings(slug: "keyed", name: "Keyed", timeZone: "UTC"),
                owner: Member(id: id("mem", "2"), accountID: owner, role: .owner, joinedAt: at)),
            .commandKeyed(CommandKey(key: "0d5c6a1e-retry-safe", fingerprint: "9f86d081884c7d65")!, events: 1),
            .serviceCreated(
                Service(
                    id: id("svc", "9"), name: "Checkout", description: "", status: .operational,
                    statusReason: .created, groupID: nil, position: 0, createdAt: at, updatedAt: at)),
        ]
        return changes.enumerated().map { index, change in
            LogRecord.organization(
                org, OrgEvent(seq: Seq(UInt64(index + 1)), at: at, by: .apiKey(key), change: change))
        }
    }

    /// A third organization with subscribers and notices: the records of WAL record version 3, in
    /// `snapshots/wal-v3` and, as state, in `snapshots/snapshot-v4`.
    static var subscriberRecords: [LogRecord] {
        let org: OrgID = id("org", "3")
        let hook = Subscriber(
            id: id("sub", "1"), channel: .webhook, address: "https://hooks.example/statusd?token=s3cr3t",
            contactEmail: "ops@example.com", components: [id("svc", "8")], incident: nil, state: .active,
            signingSecret: Array(repeating: 0x5a, count: 32), createdAt: at, confirmedAt: at, quarantinedAt: nil,
            quarantineReason: nil)
        let mail = Subscriber(
            id: id("sub", "2"), channel: .email, address: "reader@example.com", contactEmail: nil, components: [],
            incident: id("inc", "8"), state: .unconfirmed, signingSecret: nil, createdAt: at, confirmedAt: nil,
            quarantinedAt: nil, quarantineReason: nil)
        let changes: [OrgChange] = [
            .organizationCreated(
                org, OrgSettings(slug: "told", name: "Told", timeZone: "UTC"),
                owner: Member(id: id("mem", "3"), accountID: owner, role: .owner, joinedAt: at)),
            .serviceCreated(
                Service(
                    id: id("svc", "8"), name: "Mail", description: "", status: .operational,
                    statusReason: .created, groupID: nil, position: 0, createdAt: at, updatedAt: at)),
            .subscriptionSettingsChanged(
                SubscriptionSettings(
                    channels: [.email, .webhook, .discord], allowIncidentSubscribers: false,
                    allowComponentSubscribers: true)),
            .subscriberAdded(hook),
            .subscriberAdded(mail),
            .subscriberConfirmed(mail.id),
            .subscriberComponentsChanged(mail.id, [id("svc", "8")]),
            .subscriberQuarantined(hook.id, reason: "10 failed deliveries in 1 hour"),
            .subscriberReactivated(hook.id),
            .noticeRequested(.incident(id("inc", "8"), id("upd", "8"))),
            .noticeRequested(.maintenance(id("mnt", "8"), nil)),
            .noticeRequested(.maintenance(id("mnt", "8"), id("upd", "9"))),
            .noticeRequested(.component(id("svc", "8"), from: .operational, to: .majorOutage)),
            .noticesCompleted([Seq(10), Seq(11)]),
            .subscriberRemoved(mail.id),
            .noticeRequested(.subscription(hook.id, .quarantined)),
            .noticeRequested(.subscription(mail.id, .confirm)),
            .noticeRequested(.subscription(mail.id, .manage)),
            .maintenanceScheduled(
                Maintenance(
                    id: id("mnt", "9"), name: "Mail relay move", description: "", scheduledStart: at + 7_200,
                    scheduledEnd: at + 10_800, status: .scheduled, affected: [id("svc", "8")], autoStart: false,
                    autoComplete: false, updates: [], createdAt: at, updatedAt: at)),
            .noticeRequested(.maintenanceReminder(id("mnt", "9"))),
        ]
        return changes.enumerated().map { index, change in
            LogRecord.organization(
                org, OrgEvent(seq: Seq(UInt64(index + 1)), at: at, by: .system, change: change))
        }
    }
}
