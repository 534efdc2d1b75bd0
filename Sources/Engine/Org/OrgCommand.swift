public import Foundation  // Date is part of the public values.

/// A request to change an organization, as the server parsed it. `OrgState.decide` validates it
/// against the working state and turns it into changes; fields keep the API's names in errors.
public enum OrgCommand: Sendable {
    case createOrganization(slug: String, name: String, timeZone: String, owner: AccountID)
    case updateOrganization(OrgPatch)
    case deleteOrganization
    /// A record from another status page, with its ids and times (`ImportedRecord`).
    case importRecord(ImportedRecord)
    /// Records that the configured custom domain passed its ownership check (the server ran it).
    case markCustomDomainVerified(String)

    case createService(name: String, description: String, status: ServiceStatus, groupID: GroupID?, position: Int?)
    case updateService(ServiceID, ServicePatch)
    case setServiceStatus(ServiceID, ServiceStatus)
    case deleteService(ServiceID)

    case createGroup(name: String, description: String, position: Int?)
    case updateGroup(GroupID, GroupPatch)
    case deleteGroup(GroupID)

    case createIncident(IncidentDraft)
    case editIncident(IncidentID, name: String?, impact: IncidentImpact?)
    /// `notify`: tell subscribers (Statuspage's `deliver_notifications`); nil: when services are named.
    case postIncidentUpdate(
        IncidentID, status: IncidentStatus?, body: String, affected: [AffectedService]?, notify: Bool? = nil)
    /// Corrects the text of an update already posted (its status and time stay).
    case editIncidentUpdate(IncidentID, UpdateID, body: String)
    case deleteIncident(IncidentID)

    /// `notify` as for incidents; nil: when services are named.
    case scheduleMaintenance(MaintenanceDetails, notify: Bool? = nil)
    case editMaintenance(MaintenanceID, MaintenancePatch)
    case setMaintenanceStatus(MaintenanceID, MaintenanceStatus, body: String?, notify: Bool? = nil)
    /// Corrects the text of an update already posted (its status and time stay).
    case editMaintenanceUpdate(MaintenanceID, UpdateID, body: String)
    case deleteMaintenance(MaintenanceID)
    /// Moves every window whose start or end has come (the timer's command; system only).
    case advanceMaintenance
    /// Folds raw status changes older than the window into daily totals (the timer's; system only).
    case compactHistory
    /// Forgets closed incidents and maintenance the archiver has made durable on disk (system only).
    case archiveHistory(incidents: [IncidentID], maintenance: [MaintenanceID])

    case invite(email: String, role: Role, tokenHash: [UInt8], expiresAt: Date)
    case revokeInvitation(InvitationID)
    /// Joins with an invitation: the token is the credential, and the account's email (verified by
    /// whoever signed it in) must be the one invited.
    case acceptInvitation(tokenHash: [UInt8], account: AccountID, email: String)
    case changeMemberRole(MemberID, Role)
    case removeMember(MemberID)
    case createKey(name: String, role: Role, secretHash: [UInt8])
    case revokeKey(KeyID)

    /// Adds a subscriber; the same channel, address and incident again is a conflict (the public flow
    /// answers it by mailing a manage link).
    case addSubscriber(SubscriberDraft)
    /// The public subscribe form (system only: the caller is anonymous and rate limited): a new address
    /// is added unconfirmed and mailed its confirmation link; an address already subscribed changes
    /// nothing and is mailed its confirmation link again (unconfirmed) or a manage link. Either way the
    /// caller learns nothing about whether the address was known.
    case requestSubscription(SubscriberDraft)
    /// The confirmation link was followed (or an admin confirms).
    case confirmSubscriber(SubscriberID)
    case setSubscriberComponents(SubscriberID, [ServiceID])
    /// Stops deliveries to a subscriber for good (the deliverer's; system only).
    case quarantineSubscriber(SubscriberID, reason: String)
    /// Quarantined ones among these become active again; the others are left as they are.
    case reactivateSubscribers([SubscriberID])
    /// Unsubscribes: the subscribers are forgotten (nothing is kept about an address that left).
    case removeSubscribers([SubscriberID])
    /// Mails the confirmation link again to each of these unconfirmed email subscribers.
    case resendConfirmations([SubscriberID])
    case updateSubscriptionSettings(SubscriptionSettings)
    /// Marks notifications done (the deliverer's; system only).
    case completeNotices([Seq])
    /// Forgets quarantined subscribers past their purge time and unconfirmed ones past the
    /// confirmation expiry (the timer's; system only).
    case purgeSubscribers
}

/// Fields of an organization to change; `nil` leaves one as it is.
public struct OrgPatch: Sendable {
    public var slug: String?
    public var name: String?
    public var timeZone: String?
    public var logoURL: String??
    public var accentColor: String??
    public var customDomain: String??

    public init(
        slug: String? = nil, name: String? = nil, timeZone: String? = nil, logoURL: String?? = nil,
        accentColor: String?? = nil, customDomain: String?? = nil
    ) {
        self.slug = slug
        self.name = name
        self.timeZone = timeZone
        self.logoURL = logoURL
        self.accentColor = accentColor
        self.customDomain = customDomain
    }
}

/// Fields of a service to change; `groupID: .some(nil)` takes it out of its group.
public struct ServicePatch: Sendable {
    public var name: String?
    public var description: String?
    public var groupID: GroupID??
    public var position: Int?

    public init(name: String? = nil, description: String? = nil, groupID: GroupID?? = nil, position: Int? = nil) {
        self.name = name
        self.description = description
        self.groupID = groupID
        self.position = position
    }
}

/// Fields of a group to change.
public struct GroupPatch: Sendable {
    public var name: String?
    public var description: String?
    public var position: Int?

    public init(name: String? = nil, description: String? = nil, position: Int? = nil) {
        self.name = name
        self.description = description
        self.position = position
    }
}

/// A new incident with its first update.
public struct IncidentDraft: Sendable {
    public var name: String
    public var status: IncidentStatus
    public var impact: IncidentImpact
    public var body: String
    public var affected: [AffectedService]
    /// Tell subscribers; nil: when services are named (Statuspage's default).
    public var notify: Bool?

    public init(
        name: String, status: IncidentStatus, impact: IncidentImpact, body: String, affected: [AffectedService],
        notify: Bool? = nil
    ) {
        self.name = name
        self.status = status
        self.impact = impact
        self.body = body
        self.affected = affected
        self.notify = notify
    }
}

/// Fields of a maintenance window to change; times and services only while it is still scheduled.
public struct MaintenancePatch: Sendable {
    public var name: String?
    public var description: String?
    public var scheduledStart: Date?
    public var scheduledEnd: Date?
    public var affected: [ServiceID]?
    public var autoStart: Bool?
    public var autoComplete: Bool?

    public init(
        name: String? = nil, description: String? = nil, scheduledStart: Date? = nil, scheduledEnd: Date? = nil,
        affected: [ServiceID]? = nil, autoStart: Bool? = nil, autoComplete: Bool? = nil
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
