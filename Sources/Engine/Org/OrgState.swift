public import Foundation  // Date is part of the public values.
public import HashTreeCollections  // TreeDictionary is the persistent map the published view shares.

/// Who holds a claim on a service's status: an incident or a maintenance window.
public enum ClaimOwner: Hashable, Sendable, Codable {
    case incident(IncidentID)
    case maintenance(MaintenanceID)

    var reason: StatusReason {
        switch self {
        case .incident(let id): .incident(id)
        case .maintenance(let id): .maintenance(id)
        }
    }

    var restoreReason: StatusReason {
        switch self {
        case .incident(let id): .restoredAfterIncident(id)
        case .maintenance(let id): .restoredAfterMaintenance(id)
        }
    }
}

/// The key of a claim: one owner's hold on one service.
public struct ClaimKey: Hashable, Sendable, Codable {
    public let owner: ClaimOwner
    public let serviceID: ServiceID

    package init(owner: ClaimOwner, serviceID: ServiceID) {
        self.owner = owner
        self.serviceID = serviceID
    }
}

/// Everything one organization is: the state `decide` checks commands against and `evolve` advances.
///
/// The maps are `TreeDictionary` (a persistent hash trie) so that a published view keeps sharing the
/// durable state while the next event path-copies only what it touches (no per-write copy of
/// a whole organization).
public struct OrgState: Equatable, Sendable {
    public let id: OrgID
    /// The seq of the last event applied.
    public internal(set) var seq: Seq = .zero
    /// The seq of the last public event applied: the public version behind ETags and feed `prev`.
    public internal(set) var publicSeq: Seq = .zero
    public internal(set) var settings: OrgSettings
    /// Limits from the server's configuration: not part of any event, set when an actor is made.
    public var quotas = OrgQuotas()
    public internal(set) var createdAt: Date
    public internal(set) var updatedAt: Date
    /// Whether the organization has been created (its first event applied) and not deleted.
    public internal(set) var exists = false

    public internal(set) var services: TreeDictionary<ServiceID, Service> = [:]
    /// How many services are in each status: the page indicator reads this after every command that
    /// touches a service, instead of walking them all.
    public internal(set) var serviceTally = ServiceStatusTally()
    public internal(set) var groups: TreeDictionary<GroupID, ServiceGroup> = [:]
    /// Raw status changes of the last `HistoryPolicy.rawWindowDays` days, per service.
    public internal(set) var statusHistory: TreeDictionary<ServiceID, AppendLog<StatusChange>> = [:]
    /// Exact per-day totals of the days folded out of the raw window, per service, oldest first.
    public internal(set) var dailyUptime: TreeDictionary<ServiceID, AppendLog<DayUptime>> = [:]
    public internal(set) var claims: TreeDictionary<ClaimKey, StatusClaim> = [:]
    public internal(set) var incidents: TreeDictionary<IncidentID, Incident> = [:]
    public internal(set) var maintenance: TreeDictionary<MaintenanceID, Maintenance> = [:]
    public internal(set) var members: TreeDictionary<MemberID, Member> = [:]
    public internal(set) var invitations: TreeDictionary<InvitationID, Invitation> = [:]
    public internal(set) var keys: TreeDictionary<KeyID, APIKey> = [:]
    /// The custom domain that passed its ownership check, if any; cleared when the setting changes.
    public internal(set) var verifiedDomain: String?
    /// Commands clients named with an `Idempotency-Key`, by key (OrgState+KeyedCommands.swift).
    public internal(set) var keyedCommands: TreeDictionary<String, KeyedCommand> = [:]
    public internal(set) var keyedCommandFilling: KeyedCommandFilling?
    public internal(set) var subscribers: TreeDictionary<SubscriberID, Subscriber> = [:]
    /// Subscribers by `Subscriber.addressKey` (derived from `subscribers`, never stored).
    public internal(set) var subscriberKeys: TreeDictionary<String, SubscriberID> = [:]
    /// How many active subscribers each channel has (derived): a write asks it whether anyone listens.
    public internal(set) var activeSubscribers = SubscriberTally()
    public internal(set) var subscriptionSettings = SubscriptionSettings()
    /// Notifications asked for and not yet finished by the deliverer, by the seq that asked.
    public internal(set) var pendingNotices: TreeDictionary<Seq, PendingNotice> = [:]
    /// Windows whose subscribers were reminded, with the start they were reminded of: a window moved
    /// to a later start is reminded again (OrgState+Reminders.swift).
    public internal(set) var remindedWindows: TreeDictionary<MaintenanceID, Date> = [:]

    /// The custom domain statusd serves this organization under: the configured one, once verified.
    public var servedDomain: String? {
        guard let domain = settings.customDomain, domain == verifiedDomain else { return nil }
        return domain
    }

    /// An organization before its creation event.
    public init(id: OrgID) {
        self.id = id
        self.settings = OrgSettings(slug: "", name: "", timeZone: "UTC")
        self.createdAt = .distantPast
        self.updatedAt = .distantPast
    }

    /// Every field, as a snapshot stores them (quotas come from the configuration, not the file).
    package init(
        id: OrgID, seq: Seq, publicSeq: Seq, settings: OrgSettings, createdAt: Date, updatedAt: Date, exists: Bool,
        services: TreeDictionary<ServiceID, Service>, groups: TreeDictionary<GroupID, ServiceGroup>,
        statusHistory: TreeDictionary<ServiceID, AppendLog<StatusChange>>,
        dailyUptime: TreeDictionary<ServiceID, AppendLog<DayUptime>>, claims: TreeDictionary<ClaimKey, StatusClaim>,
        incidents: TreeDictionary<IncidentID, Incident>, maintenance: TreeDictionary<MaintenanceID, Maintenance>,
        members: TreeDictionary<MemberID, Member>, invitations: TreeDictionary<InvitationID, Invitation>,
        keys: TreeDictionary<KeyID, APIKey>, verifiedDomain: String?,
        keyedCommands: TreeDictionary<String, KeyedCommand> = [:], keyedCommandFilling: KeyedCommandFilling? = nil,
        subscribers: TreeDictionary<SubscriberID, Subscriber> = [:],
        subscriptionSettings: SubscriptionSettings = SubscriptionSettings(),
        pendingNotices: TreeDictionary<Seq, PendingNotice> = [:],
        remindedWindows: TreeDictionary<MaintenanceID, Date> = [:]
    ) {
        self.id = id
        self.seq = seq
        self.publicSeq = publicSeq
        self.settings = settings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.exists = exists
        self.services = services
        for service in services.values { serviceTally.add(service.status) }
        self.groups = groups
        self.statusHistory = statusHistory
        self.dailyUptime = dailyUptime
        self.claims = claims
        self.incidents = incidents
        self.maintenance = maintenance
        self.members = members
        self.invitations = invitations
        self.keys = keys
        self.verifiedDomain = verifiedDomain
        self.keyedCommands = keyedCommands
        self.keyedCommandFilling = keyedCommandFilling
        self.subscriptionSettings = subscriptionSettings
        self.pendingNotices = pendingNotices
        self.remindedWindows = remindedWindows
        for subscriber in subscribers.values { indexSubscriber(subscriber) }
    }

    /// Applies one durable event. Never throws: recovery replays old history with it, so a rule
    /// tightened later cannot reject what was once accepted.
    public mutating func evolve(_ event: OrgEvent) {
        precondition(event.seq == seq.next, "seq \(event.seq) applied after \(seq) in \(id)")
        seq = event.seq
        if event.change.isPublic { publicSeq = event.seq }
        updatedAt = event.at
        rememberKeyed(event)
        if case .noticeRequested(let subject) = event.change {
            pendingNotices[event.seq] = PendingNotice(seq: event.seq, subject: subject, at: event.at)
            if case .maintenanceReminder(let id) = subject, let window = maintenance[id] {
                remindedWindows[id] = window.scheduledStart
            }
        }
        apply(event.change, at: event.at, by: event.by)
    }

    /// Applies changes that `decide` is still weighing, on a scratch copy, without seqs.
    mutating func applyForDecision(_ changes: [OrgChange], at: Date, by: Principal) {
        for change in changes { apply(change, at: at, by: by) }
    }

    private mutating func apply(_ change: OrgChange, at: Date, by: Principal) {
        switch change {
        case .organizationCreated(_, let settings, let owner):
            self.settings = settings
            createdAt = at
            exists = true
            members[owner.id] = owner
        case .organizationUpdated(let settings):
            if settings.customDomain != verifiedDomain { verifiedDomain = nil }
            self.settings = settings
        case .customDomainVerified(let domain):
            verifiedDomain = domain
        case .organizationDeleted:
            exists = false
        case .historyCompacted(let cutoff):
            compactHistory(before: cutoff)
        case .historyArchived(let incidents, let maintenance):
            forgetArchived(incidents: incidents, maintenance: maintenance)
        case .serviceCreated, .serviceUpdated, .serviceStatusChanged, .serviceDeleted,
            .groupCreated, .groupUpdated, .groupDeleted:
            applyServiceChange(change, at: at, by: by)
        case .incidentCreated, .incidentEdited, .incidentUpdatePosted, .incidentUpdateEdited, .incidentDeleted:
            applyIncidentChange(change, at: at)
        case .maintenanceScheduled, .maintenanceEdited, .maintenanceStatusChanged, .maintenanceUpdateEdited,
            .maintenanceDeleted:
            applyMaintenanceChange(change, at: at)
        case .memberAdded, .memberRoleChanged, .memberRemoved, .invitationCreated, .invitationRevoked,
            .keyCreated, .keyRevoked:
            applyTeamChange(change)
        case .pageStatusChanged:
            break  // derived from the state: `pageStatus` computes it
        case .commandKeyed:
            break  // `rememberKeyed` keeps it
        case .noticeRequested:
            break  // `evolve` keeps it under its seq
        case .subscriberAdded, .subscriberConfirmed, .subscriberComponentsChanged, .subscriberQuarantined,
            .subscriberReactivated, .subscriberRemoved, .subscriptionSettingsChanged, .noticesCompleted:
            applySubscriberChange(change, at: at)
        }
    }

    /// The next moment a maintenance timer must act, across all windows: a start or an end, or a
    /// reminder.
    public var nextDeadline: Date? {
        var earliest: Date? = nil
        for window in maintenance.values {
            for deadline in [window.nextDeadline, reminderTime(of: window)] {
                if let deadline, deadline < earliest ?? .distantFuture { earliest = deadline }
            }
        }
        return earliest
    }
}
