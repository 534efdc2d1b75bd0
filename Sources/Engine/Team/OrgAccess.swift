/// What a request does in an organization, and the least role that may do it: the one table of who
/// may do what (docs/RULES.md "Roles"; invariant 11, docs/ARCHITECTURE.md). The engine reads it for
/// every command it decides (`OrgCommand.access`), a route reads it before it looks at the ids in its
/// path or its body (so that a viewer never learns what a malformed body would have done), and the
/// OpenAPI document prints each operation's role from it.
public enum OrgAccess: String, CaseIterable, Sendable {
    /// The page's content: services, groups, incidents, maintenance, their history and uptime.
    case readPage
    /// The organization's settings, its team and its subscription settings.
    case readOrganization
    /// How many subscribers there are, by kind and state: no addresses.
    case countSubscribers
    /// The subscribers themselves (addresses, states), their export and the unsubscribed list.
    case readSubscribers
    /// The API keys and their last use.
    case readKeys
    /// What was sent to subscribers, and how it went.
    case readDeliveries
    /// The whole organization as one file.
    case exportOrganization
    /// Services, groups, incidents and maintenance: running the page.
    case editPage
    /// The organization's settings, its custom domain, and records imported from another page.
    case editSettings
    /// Invitations, roles and members.
    case runTeam
    /// A member removing their own membership: any member may leave (the last owner excepted).
    case leave
    /// Accepting an invitation: its token is the credential, the role is what it grants.
    case acceptInvitation
    /// API keys: made and revoked.
    case manageKeys
    /// Subscribers added, confirmed, chosen components, reactivated, removed, reminded; the settings
    /// of the subscription form.
    case manageSubscribers
    /// The organization deleted.
    case deleteOrganization
    /// statusd's own timers and the public subscription form: no credential may ask for these.
    case statusdItself

    /// The least role that may do it; nil for what only statusd itself does.
    public var role: Role? {
        switch self {
        case .readPage, .readOrganization, .leave, .acceptInvitation: .viewer
        case .countSubscribers, .editPage: .editor
        case .readSubscribers, .readKeys, .readDeliveries, .exportOrganization, .editSettings, .runTeam,
            .manageKeys, .manageSubscribers:
            .admin
        case .deleteOrganization: .owner
        case .statusdItself: nil
        }
    }

    /// Whether a credential that holds `role` may do it.
    public func allows(_ role: Role) -> Bool {
        guard let needed = self.role else { return false }
        return role.allows(needed)
    }
}

extension OrgCommand {
    /// What this command does, for the table above; nil for making an organization, which has no
    /// members yet (any person may, and becomes its owner). Every case is named, so a new command
    /// cannot be added without saying who may run it.
    public var access: OrgAccess? {
        switch self {
        case .createOrganization: nil
        case .deleteOrganization: .deleteOrganization
        case .updateOrganization, .importRecord, .markCustomDomainVerified: .editSettings
        case .createService, .updateService, .setServiceStatus, .deleteService, .createGroup, .updateGroup,
            .deleteGroup, .createIncident, .editIncident, .postIncidentUpdate, .editIncidentUpdate, .deleteIncident,
            .scheduleMaintenance, .editMaintenance, .setMaintenanceStatus, .editMaintenanceUpdate,
            .deleteMaintenance:
            .editPage
        case .invite, .revokeInvitation, .changeMemberRole, .removeMember: .runTeam
        case .acceptInvitation: .acceptInvitation
        case .createKey, .revokeKey: .manageKeys
        case .addSubscriber, .confirmSubscriber, .setSubscriberComponents, .reactivateSubscribers,
            .removeSubscribers, .resendConfirmations, .updateSubscriptionSettings:
            .manageSubscribers
        case .advanceMaintenance, .compactHistory, .archiveHistory, .quarantineSubscriber, .completeNotices,
            .purgeSubscribers, .requestSubscription:
            .statusdItself
        }
    }
}
