public import Foundation  // Date is part of decide's public signature.
import HashTreeCollections

extension OrgState {
    /// Validates `command` against this state and returns the changes it makes, with new ids.
    ///
    /// Checks run in the order of docs/RULES.md: role (403), then ids (404), then fields and rules (422/409).
    /// Never mutates: the actor evolves its working state with the result.
    /// - Throws: `EngineError` naming the field at fault.
    public func decide(_ command: OrgCommand, by principal: Principal, at now: Date) throws -> [OrgChange] {
        let changes = try decideChanges(command, by: principal, at: now)
        return changes + notices(asked: command, changes: changes)
    }

    private func decideChanges(_ command: OrgCommand, by principal: Principal, at now: Date) throws -> [OrgChange] {
        if case .createOrganization(let slug, let name, let timeZone, let owner) = command {
            return try decideCreation(slug: slug, name: name, timeZone: timeZone, owner: owner, at: now)
        }
        guard exists else { throw EngineError.notFound("organization", "organization") }
        try authorize(command, by: principal)
        switch command {
        case .createOrganization:
            preconditionFailure("handled above")
        case .updateOrganization(let patch):
            return try decideUpdate(patch)
        case .deleteOrganization:
            return [.organizationDeleted]
        case .importRecord(let record):
            return try decideImport(record, by: principal, at: now)
        case .markCustomDomainVerified(let domain):
            guard let configured = settings.customDomain, configured == domain else {
                throw EngineError.conflict(
                    "custom_domain", "'\(domain.prefix(64))' is not the configured custom domain")
            }
            return verifiedDomain == domain ? [] : [.customDomainVerified(domain)]
        case .compactHistory:
            return decideHistoryCompaction(at: now)
        case .archiveHistory(let incidents, let maintenance):
            return decideArchiving(incidents: incidents, maintenance: maintenance)
        case .createService, .updateService, .setServiceStatus, .deleteService,
            .createGroup, .updateGroup, .deleteGroup:
            return try decideServiceCommand(command, at: now)
        case .createIncident, .editIncident, .postIncidentUpdate, .editIncidentUpdate, .deleteIncident:
            return try decideIncidentCommand(command, by: principal, at: now)
        case .scheduleMaintenance, .editMaintenance, .setMaintenanceStatus, .editMaintenanceUpdate, .deleteMaintenance,
            .advanceMaintenance:
            return try decideMaintenanceCommand(command, by: principal, at: now)
        case .invite, .revokeInvitation, .acceptInvitation, .changeMemberRole, .removeMember,
            .createKey, .revokeKey:
            return try decideTeamCommand(command, by: principal, at: now)
        case .addSubscriber, .requestSubscription, .confirmSubscriber, .setSubscriberComponents,
            .quarantineSubscriber, .reactivateSubscribers, .removeSubscribers, .resendConfirmations,
            .updateSubscriptionSettings, .completeNotices, .purgeSubscribers:
            return try decideSubscriberCommand(command, at: now)
        }
    }

    /// The role a principal holds here: a member's role, a key's role; the system acts as owner.
    public func role(of principal: Principal) -> Role? {
        switch principal {
        case .system: .owner
        case .apiKey(let id): keys[id]?.role
        case .account(let account): member(for: account)?.role
        }
    }

    /// The membership of an account, if it is a member.
    public func member(for account: AccountID) -> Member? {
        members.values.first { $0.accountID == account }
    }

    /// The table of `OrgAccess` (docs/RULES.md "Roles"), and the two rules it cannot say alone: an
    /// invitation's token is its credential, and any member may remove their own membership.
    private func authorize(_ command: OrgCommand, by principal: Principal) throws {
        guard let access = command.access, access != .acceptInvitation else { return }  // Team checks the token
        guard let needed = access.role else {
            guard principal == .system else { throw EngineError.forbidden("only statusd's own timers run this") }
            return
        }
        guard let role = role(of: principal) else {
            throw EngineError.forbidden("not a member of this organization")
        }
        if case .removeMember(let id) = command, case .account(let account) = principal,
            members[id]?.accountID == account
        {
            return  // anyone may leave; the last-owner rule is checked in Team
        }
        guard role.allows(needed) else {
            throw EngineError.forbidden("needs the \(needed.rawValue) role; this credential has \(role.rawValue)")
        }
    }

    private func decideCreation(
        slug: String, name: String, timeZone: String, owner: AccountID, at now: Date
    ) throws -> [OrgChange] {
        guard !exists else { throw EngineError.conflict("id", "organization already exists") }
        let settings = OrgSettings(
            slug: try Validate.slug(slug),
            name: try Validate.name(name, field: "name"),
            timeZone: try Validate.timeZone(timeZone))
        let member = Member(id: .random(), accountID: owner, role: .owner, joinedAt: now)
        return [.organizationCreated(id, settings, owner: member)]
    }

    private func decideUpdate(_ patch: OrgPatch) throws -> [OrgChange] {
        var next = settings
        if let slug = patch.slug { next.slug = try Validate.slug(slug) }
        if let name = patch.name { next.name = try Validate.name(name, field: "name") }
        if let zone = patch.timeZone { next.timeZone = try Validate.timeZone(zone) }
        if let logo = patch.logoURL { next.branding.logoURL = try logo.map { try Validate.httpsURL($0) } }
        if let color = patch.accentColor { next.branding.accentColor = try color.map { try Validate.color($0) } }
        if let domain = patch.customDomain { next.customDomain = try domain.map { try Validate.domain($0) } }
        return next == settings ? [] : [.organizationUpdated(next)]
    }
}
