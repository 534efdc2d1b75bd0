import Foundation
import HashTreeCollections

extension OrgState {
    /// Team and keys under the role rules of docs/RULES.md "Roles": nobody grants a role above their own, only
    /// owners grant owner, the last owner cannot leave or be demoted.
    func decideTeamCommand(_ command: OrgCommand, by principal: Principal, at now: Date) throws -> [OrgChange] {
        let actingRole = role(of: principal)
        switch command {
        case .invite(let email, let role, let tokenHash, let expiresAt):
            try checkGrant(role, by: actingRole)
            let email = try Validate.email(email)
            guard invitations.count < quotas.invitationsMax else {
                throw EngineError(
                    .quotaExceeded, field: "invitations", "at most \(quotas.invitationsMax) open invitations")
            }
            guard !invitations.values.contains(where: { $0.email == email && $0.expiresAt > now }) else {
                throw EngineError.conflict("email", "an invitation for this email is already open")
            }
            guard expiresAt > now else { throw EngineError.invalid("expires_at", "must be in the future") }
            let invitation = Invitation(
                id: .random(), email: email, role: role, tokenHash: tokenHash, invitedBy: principal, createdAt: now,
                expiresAt: expiresAt)
            return [.invitationCreated(invitation)]
        case .revokeInvitation(let id):
            guard invitations[id] != nil else { throw EngineError.notFound("id", "invitation") }
            return [.invitationRevoked(id)]
        case .acceptInvitation(let tokenHash, let account, let email):
            return try decideAccept(tokenHash: tokenHash, account: account, email: email, at: now)
        case .changeMemberRole(let id, let role):
            guard let member = members[id] else { throw EngineError.notFound("id", "member") }
            try checkGrant(role, by: actingRole)
            try checkGrant(member.role, by: actingRole)
            if member.role == .owner && role != .owner { try checkNotLastOwner() }
            return member.role == role ? [] : [.memberRoleChanged(id, role)]
        case .removeMember(let id):
            guard let member = members[id] else { throw EngineError.notFound("id", "member") }
            if case .account(let account) = principal, member.accountID != account {
                try checkGrant(member.role, by: actingRole)
            }
            if member.role == .owner { try checkNotLastOwner() }
            return [.memberRemoved(id, account: member.accountID)]
        case .createKey(let name, let role, let secretHash):
            try checkGrant(role, by: actingRole)
            guard keys.count < quotas.keysMax else {
                throw EngineError(.quotaExceeded, field: "keys", "at most \(quotas.keysMax) API keys")
            }
            let key = APIKey(
                id: .random(), name: try Validate.name(name, field: "name"), role: role, secretHash: secretHash,
                createdBy: principal, createdAt: now)
            return [.keyCreated(key)]
        case .revokeKey(let id):
            guard keys[id] != nil else { throw EngineError.notFound("id", "API key") }
            return [.keyRevoked(id)]
        default:
            preconditionFailure("not a team command: \(command)")
        }
    }

    private func decideAccept(tokenHash: [UInt8], account: AccountID, email: String, at now: Date) throws
        -> [OrgChange]
    {
        guard let invitation = invitations.values.first(where: { constantTimeEqual($0.tokenHash, tokenHash) }),
            invitation.expiresAt > now
        else { throw EngineError.notFound("token", "invitation") }
        guard invitation.email == email.lowercased() else {
            throw EngineError.forbidden("this invitation is for another email address")
        }
        guard member(for: account) == nil else {
            throw EngineError.conflict("token", "this account is already a member")
        }
        guard members.count < quotas.membersMax else {
            throw EngineError(.quotaExceeded, field: "members", "at most \(quotas.membersMax) members")
        }
        let member = Member(id: .random(), accountID: account, role: invitation.role, joinedAt: now)
        return [.memberAdded(member, invitation: invitation.id)]
    }

    private func checkGrant(_ role: Role, by actingRole: Role?) throws {
        guard let actingRole, actingRole.allows(role) else {
            throw EngineError.forbidden("cannot grant or manage the \(role.rawValue) role")
        }
    }

    private func checkNotLastOwner() throws {
        guard members.values.count(where: { $0.role == .owner }) > 1 else {
            throw EngineError.conflict("role", "the last owner cannot leave or be demoted")
        }
    }

    mutating func applyTeamChange(_ change: OrgChange) {
        switch change {
        case .memberAdded(let member, let invitation):
            members[member.id] = member
            if let invitation { invitations[invitation] = nil }
        case .memberRoleChanged(let id, let role):
            members[id]?.role = role
        case .memberRemoved(let id, _):
            members[id] = nil
        case .invitationCreated(let invitation):
            invitations[invitation.id] = invitation
        case .invitationRevoked(let id):
            invitations[id] = nil
        case .keyCreated(let key):
            keys[key.id] = key
        case .keyRevoked(let id):
            keys[id] = nil
        default:
            preconditionFailure("not a team change: \(change)")
        }
    }
}
