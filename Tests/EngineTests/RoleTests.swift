import Engine
import Foundation
import HashTreeCollections
import Testing

/// The role rules of docs/RULES.md "Roles": 403 before 404 before 422, nobody grants above their own role,
/// only owners grant owner, the last owner stays.
@Suite struct RoleTests {
    /// A fixture with one member of each role, by accepting invitations.
    static func team() throws -> (Fixture, [Role: AccountID]) {
        var fixture = try Fixture()
        var accounts: [Role: AccountID] = [.owner: fixture.owner]
        for role in [Role.admin, .editor, .viewer] {
            let account = AccountID.random()
            let token = Array("token-\(role)".utf8)
            try fixture.run(
                .invite(email: "\(role)@example.com", role: role, tokenHash: token, expiresAt: fixture.now + 3600))
            try fixture.run(
                .acceptInvitation(tokenHash: token, account: account, email: "\(role)@example.com"),
                by: .account(account))
            accounts[role] = account
        }
        return (fixture, accounts)
    }

    @Test func viewer_cannotWrite_forbiddenBeforeNotFound() throws {
        var (fixture, accounts) = try Self.team()
        let viewer = Principal.account(accounts[.viewer]!)
        let error = engineError { try fixture.run(.setServiceStatus(.random(), .majorOutage), by: viewer) }
        #expect(error?.code == .forbidden, "403 comes before 404 for an unknown id")
    }

    @Test func editor_runsThePage_butNotTheTeam() throws {
        var (fixture, accounts) = try Self.team()
        let editor = Principal.account(accounts[.editor]!)
        let service = try fixture.run(
            .createService(name: "API", description: "", status: .operational, groupID: nil, position: nil), by: editor)
        #expect(service.count == 1)
        let error = engineError { try fixture.run(.createKey(name: "ci", role: .viewer, secretHash: [1]), by: editor) }
        #expect(error?.code == .forbidden)
    }

    @Test func admin_cannotGrantOwner_ownerCan() throws {
        var (fixture, accounts) = try Self.team()
        let admin = Principal.account(accounts[.admin]!)
        let editorMember = fixture.state.member(for: accounts[.editor]!)!.id
        #expect(engineError { try fixture.run(.changeMemberRole(editorMember, .owner), by: admin) }?.code == .forbidden)
        #expect(
            engineError { try fixture.run(.createKey(name: "k", role: .owner, secretHash: [1]), by: admin) }?.code
                == .forbidden)
        try fixture.run(.changeMemberRole(editorMember, .owner))
        #expect(fixture.state.members[editorMember]?.role == .owner)
    }

    @Test func admin_cannotRemoveOwner_butMemberMayLeave() throws {
        var (fixture, accounts) = try Self.team()
        let admin = Principal.account(accounts[.admin]!)
        let owner = fixture.state.member(for: accounts[.owner]!)!.id
        #expect(engineError { try fixture.run(.removeMember(owner), by: admin) }?.code == .forbidden)
        let viewerAccount = accounts[.viewer]!
        let viewer = fixture.state.member(for: viewerAccount)!.id
        try fixture.run(.removeMember(viewer), by: .account(viewerAccount))
        #expect(fixture.state.members[viewer] == nil)
    }

    @Test func lastOwner_mayLeaveOnceAnotherOwnerExists() throws {
        var (fixture, accounts) = try Self.team()
        let admin = fixture.state.member(for: accounts[.admin]!)!.id
        try fixture.run(.changeMemberRole(admin, .owner))
        let owner = fixture.state.member(for: accounts[.owner]!)!.id
        try fixture.run(.removeMember(owner), by: .account(accounts[.owner]!))
        #expect(fixture.state.members.values.filter { $0.role == .owner }.count == 1)
    }

    @Test func key_roleIsItsPrincipalsRole_andRevokedKeyHasNone() throws {
        var fixture = try Fixture()
        guard
            case .keyCreated(let key) = try fixture.run(.createKey(name: "bot", role: .editor, secretHash: [1, 2]))
                .first
        else {
            Issue.record("no key")
            return
        }
        #expect(fixture.state.role(of: .apiKey(key.id)) == .editor)
        try fixture.run(.revokeKey(key.id))
        #expect(fixture.state.role(of: .apiKey(key.id)) == nil)
        let error = engineError { try fixture.run(.deleteOrganization, by: .apiKey(key.id)) }
        #expect(error?.code == .forbidden)
    }

    @Test func invitation_forAnotherEmail_isRefused() throws {
        var fixture = try Fixture()
        let token: [UInt8] = [5, 5]
        try fixture.run(.invite(email: "ann@example.com", role: .editor, tokenHash: token, expiresAt: fixture.now + 60))
        let stranger = AccountID.random()
        let refused = engineError {
            try fixture.run(
                .acceptInvitation(tokenHash: token, account: stranger, email: "bob@example.com"), by: .account(stranger)
            )
        }
        #expect(refused?.code == .forbidden)
        try fixture.run(
            .acceptInvitation(tokenHash: token, account: stranger, email: "Ann@Example.com"), by: .account(stranger))
        #expect(fixture.state.member(for: stranger)?.role == .editor, "emails compare without case")
    }

    @Test func invitation_expired_orReused_isRefused() throws {
        var fixture = try Fixture()
        let token: [UInt8] = [7, 7, 7]
        try fixture.run(.invite(email: "a@example.com", role: .editor, tokenHash: token, expiresAt: fixture.now + 60))
        let twin = engineError {
            try fixture.run(.invite(email: "A@example.com", role: .viewer, tokenHash: [8], expiresAt: fixture.now + 60))
        }
        #expect(twin?.code == .conflict, "one open invitation per email")
        fixture.advance(61)
        let late = AccountID.random()
        #expect(
            engineError {
                try fixture.run(
                    .acceptInvitation(tokenHash: token, account: late, email: "a@example.com"), by: .account(late))
            }?.code == .notFound)
    }

    /// The table of docs/RULES.md "Roles" as the engine applies it: for a command of each entry, every
    /// role below the entry's is refused with 403 before anything else is looked at, and statusd's own
    /// commands are refused to every credential, the owner's too.
    @Test func accessTable_isWhatTheEngineEnforces() throws {
        let (fixture, accounts) = try Self.team()
        let commands: [OrgCommand] = [
            .setServiceStatus(.random(), .majorOutage), .deleteIncident(.random()),
            .createKey(name: "k", role: .viewer, secretHash: [1]), .removeSubscribers([.random()]),
            .changeMemberRole(.random(), .viewer), .updateOrganization(OrgPatch()), .deleteOrganization,
            .compactHistory, .purgeSubscribers,
            .requestSubscription(SubscriberDraft(channel: .email, address: "a@example.com", confirmed: false)),
        ]
        for command in commands {
            let access = try #require(command.access)
            for role in Role.allCases {
                let error = engineError {
                    _ = try fixture.state.decide(command, by: .account(accounts[role]!), at: fixture.now)
                }
                if access.allows(role) {
                    #expect(error?.code != .forbidden, "\(role) may do \(access): \(command)")
                } else {
                    #expect(error?.code == .forbidden, "\(role) may not do \(access): \(command)")
                }
            }
        }
        #expect(OrgAccess.statusdItself.role == nil && !OrgAccess.statusdItself.allows(.owner))
        #expect(OrgAccess.allCases.filter { $0.role == .owner } == [.deleteOrganization])
        #expect(OrgCommand.createOrganization(slug: "a", name: "A", timeZone: "UTC", owner: .random()).access == nil)
    }

    @Test func constantTimeEqual_comparesWholeValues() {
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
