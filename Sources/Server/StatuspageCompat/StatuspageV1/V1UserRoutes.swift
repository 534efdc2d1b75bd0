import Auth
package import Engine
package import Foundation
package import HTTP
import HashTreeCollections
package import Hummingbird
import Wire

/// `/v1/organizations/{organization_id}/users`, mapped onto our team: members are users, and creating
/// a user invites the address (statusd never takes a password on someone's behalf; the invited person
/// chooses one on accepting). `{organization_id}` is the organization's id or slug, as `{page_id}` is.
/// A new user gets the role in `user[role]`, or editor, which is what a Statuspage team member can do.
package struct V1UserRoutes: Sendable {
    package let v1: StatuspageV1API
    package let directory: Directory
    /// How long an invitation stays open (`--invitation-hours`).
    package let invitationLifetime: TimeInterval

    package static let parameter = "organization_id"

    package func add(to router: V1Router) {
        router.get("/organizations/:organization_id/users", use: list)
        router.post("/organizations/:organization_id/users", use: create)
        router.delete("/organizations/:organization_id/users/:user_id", use: delete)
    }

    /// Members, then open invitations, oldest first.
    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await v1.authorize(request, context, for: .readOrganization, pathParameter: Self.parameter)
        let paging = try V1Paging(request)
        let members = state.members.values.sorted { ($0.joinedAt, $0.id) < ($1.joinedAt, $1.id) }.map {
            user($0, in: state)
        }
        let invited = state.invitations.values.filter { $0.expiresAt > WallClock.now() }.sorted {
            ($0.createdAt, $0.id) < ($1.createdAt, $1.id)
        }.map { user($0, in: state) }
        return try StatuspageV1API.json(.array(paging.slice(members + invited)))
    }

    @Sendable package func create(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, _) = try await v1.authorize(request, context, for: .runTeam, pathParameter: Self.parameter)
        let fields = try await V1Body.read(request).fields("user")
        guard let email = try fields.text("email") else { throw fields.required("email") }
        let role = try fields.choice("role", choices(Role.self), Role.init(input:)) ?? .editor
        let (token, hash) = RandomSecret.make()
        let (commit, state) = try await v1.run(
            .invite(
                email: email, role: role, tokenHash: hash,
                expiresAt: WallClock.now().addingTimeInterval(invitationLifetime)),
            as: caller)
        try ResourceAPI.refuseReplay(of: commit, secret: "an invitation")
        let invitation = try ResourceAPI.created(commit) {
            if case .invitationCreated(let invitation) = $0 { invitation } else { nil }
        }
        let link = v1.baseURL + "/accept-invitation?token=" + token
        return try StatuspageV1API.json(
            user(invitation, in: state).merging(["invitation_url": .string(link)]), status: .created)
    }

    /// A member is removed, an invitation revoked; Statuspage answers with the user as it was.
    @Sendable package func delete(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, state) = try await v1.authorize(request, context, for: .runTeam, pathParameter: Self.parameter)
        if let id = StatuspageV1API.pathID(context, "user_id", as: MemberID.self), let member = state.members[id] {
            _ = try await v1.run(.removeMember(id), as: caller)
            return try StatuspageV1API.json(user(member, in: state))
        }
        if let id = StatuspageV1API.pathID(context, "user_id", as: InvitationID.self),
            let invitation = state.invitations[id]
        {
            _ = try await v1.run(.revokeInvitation(id), as: caller)
            return try StatuspageV1API.json(user(invitation, in: state))
        }
        throw StatuspageV1API.notFound("user", context, "user_id")
    }

    private func user(_ member: Member, in state: OrgState) -> JSONValue {
        let account = directory.state.accounts[member.accountID]
        let (first, last) = Self.split(account?.name ?? "")
        return [
            "id": .string(member.id.rawValue), "organization_id": .string(state.id.rawValue),
            "email": .string(account?.email ?? ""), "first_name": .string(first), "last_name": .string(last),
            "created_at": StatuspagePublic.date(member.joinedAt), "updated_at": StatuspagePublic.date(member.joinedAt),
            "role": .string(member.role.rawValue), "invitation_pending": false,
        ]
    }

    private func user(_ invitation: Invitation, in state: OrgState) -> JSONValue {
        [
            "id": .string(invitation.id.rawValue), "organization_id": .string(state.id.rawValue),
            "email": .string(invitation.email), "first_name": "", "last_name": "",
            "created_at": StatuspagePublic.date(invitation.createdAt),
            "updated_at": StatuspagePublic.date(invitation.createdAt), "role": .string(invitation.role.rawValue),
            "invitation_pending": true,
        ]
    }

    /// Statuspage keeps first and last names; statusd keeps one name, split at its first space.
    private static func split(_ name: String) -> (String, String) {
        guard let space = name.firstIndex(of: " ") else { return (name, "") }
        return (String(name[..<space]), String(name[name.index(after: space)...]))
    }

    package init(v1: StatuspageV1API, directory: Directory, invitationLifetime: TimeInterval) {
        self.v1 = v1
        self.directory = directory
        self.invitationLifetime = invitationLifetime
    }
}
