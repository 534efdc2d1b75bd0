public import Foundation  // Date is part of the public values.

/// One durable fact of an organization's stream: its seq, when, who, and what changed.
public struct OrgEvent: Hashable, Sendable, Codable {
    public let seq: Seq
    public let at: Date
    public let by: Principal
    public let change: OrgChange

    public init(seq: Seq, at: Date, by: Principal, change: OrgChange) {
        self.seq = seq
        self.at = at
        self.by = by
        self.change = change
    }
}

/// What an organization event changes. `evolve` applies each case and never throws; `decide` is the
/// only place that produces them.
public enum OrgChange: Hashable, Sendable, Codable {
    case organizationCreated(OrgID, OrgSettings, owner: Member)
    case organizationUpdated(OrgSettings)
    case organizationDeleted
    /// A DNS TXT or HTTP check proved the organization controls its configured custom domain; the
    /// domain is served from now on, until the setting changes.
    case customDomainVerified(String)
    /// Raw status changes before this day start were folded into daily totals (no figure changes).
    case historyCompacted(before: Date)
    /// Closed incidents and maintenance now kept in the on-disk history archive, gone from memory.
    case historyArchived(incidents: [IncidentID], maintenance: [MaintenanceID])

    case serviceCreated(Service)
    case serviceUpdated(ServiceID, ServiceDetails)
    /// A status change; `reason` says who holds the new status (a manual change, an incident, a restore).
    case serviceStatusChanged(ServiceID, to: ServiceStatus, reason: StatusReason)
    case serviceDeleted(ServiceID)

    case groupCreated(ServiceGroup)
    case groupUpdated(GroupID, GroupDetails)
    case groupDeleted(GroupID)

    case incidentCreated(Incident)
    case incidentEdited(IncidentID, name: String, impact: IncidentImpact)
    /// A timeline message, possibly a transition, possibly a new set of affected services.
    case incidentUpdatePosted(IncidentID, IncidentUpdate, affected: [AffectedService]?)
    /// An update's text corrected.
    case incidentUpdateEdited(IncidentID, UpdateID, body: String)
    case incidentDeleted(IncidentID)

    case maintenanceScheduled(Maintenance)
    case maintenanceEdited(MaintenanceID, MaintenanceDetails)
    case maintenanceStatusChanged(MaintenanceID, MaintenanceUpdate)
    /// An update's text corrected.
    case maintenanceUpdateEdited(MaintenanceID, UpdateID, body: String)
    case maintenanceDeleted(MaintenanceID)

    case memberAdded(Member, invitation: InvitationID?)
    case memberRoleChanged(MemberID, Role)
    case memberRemoved(MemberID, account: AccountID)
    case invitationCreated(Invitation)
    case invitationRevoked(InvitationID)
    case keyCreated(APIKey)
    case keyRevoked(KeyID)

    /// The page indicator moved, by the changes just before it in the same command (derived, kept so
    /// that the live feed's `status_update` has a seq of its own).
    case pageStatusChanged(PageStatus)

    /// The next `events` events are the command a client sent with this `Idempotency-Key`: a retry
    /// with the key is answered with them rather than applied again.
    case commandKeyed(CommandKey, events: Int)

    case subscriberAdded(Subscriber)
    /// The subscriber followed its confirmation link (double opt-in) and is active.
    case subscriberConfirmed(SubscriberID)
    case subscriberComponentsChanged(SubscriberID, [ServiceID])
    /// Deliveries stopped for good; `reason` says why, for the admin.
    case subscriberQuarantined(SubscriberID, reason: String)
    case subscriberReactivated(SubscriberID)
    case subscriberRemoved(SubscriberID)
    case subscriptionSettingsChanged(SubscriptionSettings)
    /// Subscribers are to be told of `subject`: the deliverer's work item, identified by this event's seq.
    case noticeRequested(NoticeSubject)
    /// The deliverer finished these notifications (every recipient sent, or handed to its retry queue).
    case noticesCompleted([Seq])

    /// Whether this change can move the page indicator: services, incidents and maintenance.
    var canMovePageStatus: Bool {
        switch self {
        case .serviceCreated, .serviceUpdated, .serviceStatusChanged, .serviceDeleted, .incidentCreated,
            .incidentEdited, .incidentUpdatePosted, .incidentDeleted, .maintenanceScheduled, .maintenanceEdited,
            .maintenanceStatusChanged, .maintenanceDeleted:
            true
        default:
            false
        }
    }

    /// Whether the public feed and public pages see this event; team, invitations and keys are private.
    public var isPublic: Bool {
        switch self {
        case .memberAdded, .memberRoleChanged, .memberRemoved, .invitationCreated, .invitationRevoked,
            .keyCreated, .keyRevoked, .historyCompacted, .historyArchived, .customDomainVerified, .commandKeyed,
            .subscriberAdded, .subscriberConfirmed, .subscriberComponentsChanged, .subscriberQuarantined,
            .subscriberReactivated, .subscriberRemoved, .subscriptionSettingsChanged, .noticeRequested,
            .noticesCompleted:
            false
        default:
            true
        }
    }
}

/// The editable fields of a service (its status changes through its own event).
public struct ServiceDetails: Hashable, Sendable, Codable {
    public var name: String
    public var description: String
    public var groupID: GroupID?
    public var position: Int

    /// Every field, as the codec and tests build values.
    package init(name: String, description: String, groupID: GroupID?, position: Int) {
        self.name = name
        self.description = description
        self.groupID = groupID
        self.position = position
    }
}

/// The editable fields of a group.
public struct GroupDetails: Hashable, Sendable, Codable {
    public var name: String
    public var description: String
    public var position: Int

    /// Every field, as the codec and tests build values.
    package init(name: String, description: String, position: Int) {
        self.name = name
        self.description = description
        self.position = position
    }
}

/// The editable fields of a maintenance window; also what `scheduleMaintenance` takes.
public struct MaintenanceDetails: Hashable, Sendable, Codable {
    public var name: String
    public var description: String
    public var scheduledStart: Date
    public var scheduledEnd: Date
    public var affected: [ServiceID]
    public var autoStart: Bool
    public var autoComplete: Bool

    /// A window as a command schedules it (both automatic moves on by default) or an event records it.
    public init(
        name: String, description: String, scheduledStart: Date, scheduledEnd: Date, affected: [ServiceID],
        autoStart: Bool = true, autoComplete: Bool = true
    ) {
        self.name = name
        self.description = description
        self.scheduledStart = scheduledStart
        self.scheduledEnd = scheduledEnd
        self.affected = affected
        self.autoStart = autoStart
        self.autoComplete = autoComplete
    }
}
