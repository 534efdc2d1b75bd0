import Auth
package import Engine
package import Foundation
import HashTreeCollections
package import Hummingbird
import Live
import Wire

/// `/api/team`: members (list, me, change role, remove) and invitations (invite, look up by token,
/// accept) under the role rules of docs/RULES.md "Roles", which the engine enforces: nobody grants a role
/// above their own, only owners grant owner, the last owner cannot leave.
package struct TeamRoutes: Sendable {
    package let api: ResourceAPI
    package let directory: Directory
    /// How long an invitation stays open (`--invitation-hours`).
    package let invitationLifetime: TimeInterval

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/team/members", use: members)
        router.get("/api/team/members/me", use: me)
        router.put("/api/team/members/:id", use: changeRole)
        router.delete("/api/team/members/:id", use: remove)
        router.post("/api/team/invite", use: invite)
        router.get("/api/team/invitations/:token", use: invitation)
        router.post("/api/team/invitations/:token/accept", use: accept)
    }

    package struct MemberBody: Encodable {
        package let id: MemberID
        package let accountID: AccountID
        package let email: String?
        package let name: String?
        package let role: Role
        package let joinedAt: Date
    }

    package struct RoleInput: Decodable {
        package let role: Role

        package init(from decoder: any Decoder) throws {
            let input = try decoder.container(keyedBy: InputKey.self)
            role = try input.parsed(
                "role", try input.required(String.self, "role"), choices: choices(Role.self), Role.init(input:))
        }
    }

    package struct InviteInput: Decodable {
        package let email: String
        package let role: Role

        package init(from decoder: any Decoder) throws {
            let input = try decoder.container(keyedBy: InputKey.self)
            email = try input.required(String.self, "email")
            role = try input.parsed(
                "role", try input.required(String.self, "role"), choices: choices(Role.self), Role.init(input:))
        }
    }

    @Sendable package func members(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readOrganization)
        let members = state.members.values.sorted { ($0.joinedAt, $0.id) < ($1.joinedAt, $1.id) }
        let (items, next) = try ResourceAPI.page(members, request)
        return try ResourceAPI.json(Representation.ListBody(items: items.map(body), nextCursor: next))
    }

    @Sendable package func me(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, state) = try await api.authorize(request, for: .readOrganization)
        guard case .account(let account) = caller.principal, let member = state.member(for: account) else {
            throw Problem(status: .forbidden, detail: "an API key is not a member; sign in as a person")
        }
        return try ResourceAPI.json(body(member))
    }

    @Sendable package func changeRole(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .runTeam)
        let id = try member(in: current, context).id
        let input = try await JSONBody.decode(RoleInput.self, from: request)
        let (_, state) = try await api.run(.changeMemberRole(id, input.role), as: caller)
        guard let member = state.members[id] else { throw ResourceAPI.notFound("member", id.rawValue) }
        return try ResourceAPI.json(body(member))
    }

    /// Removing a member: admins remove others (never above their role), anyone may leave.
    @Sendable package func remove(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, current) = try await api.authorize(request, for: .leave)
        let id = try member(in: current, context).id
        _ = try await api.run(.removeMember(id), as: caller)
        return ResourceAPI.noContent()
    }

    package struct InvitationCreated: Encodable {
        package let id: InvitationID
        package let email: String
        package let role: Role
        package let expiresAt: Date
        /// Shown once: the invitation link carries it.
        package let token: String
        package let acceptPath: String
    }

    @Sendable package func invite(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await api.authorize(request, for: .runTeam)
        let input = try await JSONBody.decode(InviteInput.self, from: request)
        let (token, hash) = RandomSecret.make()
        let (commit, _) = try await api.run(
            .invite(
                email: input.email, role: input.role, tokenHash: hash,
                expiresAt: WallClock.now().addingTimeInterval(invitationLifetime)), as: caller)
        try ResourceAPI.refuseReplay(of: commit, secret: "an invitation")
        let invitation = try ResourceAPI.created(commit) {
            if case .invitationCreated(let invitation) = $0 { invitation } else { nil }
        }
        return try ResourceAPI.json(
            InvitationCreated(
                id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt,
                token: token, acceptPath: "/accept-invitation?token=\(token)"), status: .created)
    }

    package struct InvitationBody: Encodable {
        package let organization: String
        package let organizationSlug: String
        package let email: String
        package let role: Role
        package let expiresAt: Date
    }

    /// What an invitation link offers, for the page that accepts it: the token is the credential.
    @Sendable package func invitation(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (organization, invitation) = try open(context)
        let settings = organization.view.state.settings
        return try ResourceAPI.json(
            InvitationBody(
                organization: settings.name, organizationSlug: settings.slug, email: invitation.email,
                role: invitation.role, expiresAt: invitation.expiresAt))
    }

    /// Joins the organization as the signed-in account, whose email must be the invited one.
    @Sendable package func accept(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (account, identity) = try await api.authenticator.person(for: request)
        if case .federated(_, emailVerified: false, _) = identity {
            throw Problem(
                status: .forbidden, detail: "your provider has not verified your email; an invitation needs it")
        }
        let (organization, invitation) = try open(context)
        let commit = try await api.registry.submit(
            .acceptInvitation(tokenHash: invitation.tokenHash, account: account.id, email: account.email),
            to: organization, by: .account(account.id))
        let member = try ResourceAPI.created(commit) {
            if case .memberAdded(let member, _) = $0 { member } else { nil }
        }
        return try ResourceAPI.json(body(member))
    }

    /// The open invitation a token names, in whichever organization holds it (404 when none does).
    private func open(_ context: StatusdRequestContext) throws -> (OrgActor, Invitation) {
        let hash = RandomSecret.hash(context.parameters.get("token") ?? "")
        guard let found = api.registry.openInvitation(tokenHash: hash, at: WallClock.now()) else {
            throw Problem(status: .notFound, detail: "no open invitation for this token", field: "token")
        }
        return found
    }

    private func member(in state: OrgState, _ context: StatusdRequestContext) throws -> Member {
        let id = try ResourceAPI.pathID(context, "member", as: MemberID.self)
        guard let member = state.members[id] else { throw ResourceAPI.notFound("member", id.rawValue) }
        return member
    }

    private func body(_ member: Member) -> MemberBody {
        let account = directory.state.accounts[member.accountID]
        return MemberBody(
            id: member.id, accountID: member.accountID, email: account?.email, name: account?.name, role: member.role,
            joinedAt: member.joinedAt)
    }

    package init(api: ResourceAPI, directory: Directory, invitationLifetime: TimeInterval) {
        self.api = api
        self.directory = directory
        self.invitationLifetime = invitationLifetime
    }
}
