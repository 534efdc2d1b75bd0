import Foundation
import Testing

/// A person's side of the API: sign-up, sessions, organizations, invitations and roles, over real
/// sockets against a real statusd.
@Suite struct AccountTests {
    /// A server with its own data directory and the given flags.
    static func server(_ arguments: [String] = []) throws -> StatusdProcess {
        try StatusdProcess(arguments: arguments)
    }

    /// Signs up and returns a client holding the session token.
    static func signUp(_ email: String, on server: StatusdProcess, invitation: String? = nil) async throws
        -> (APIClient, [String: Any])
    {
        var body: [String: Any] = ["email": email, "password": "correct horse battery", "name": "Person"]
        if let invitation { body["invitation"] = invitation }
        let answer = try await APIClient(token: "none").with(server).call("POST", "/api/auth/signup", body)
        precondition(answer.status == 201, "sign-up of \(email): \(answer.status) \(answer.text)")
        return (APIClient(token: answer.json["token"] as? String ?? "").with(server), answer.json)
    }

    @Test func signUp_createOrganization_work_logOut() async throws {
        let server = try Self.server()
        let (ann, signedUp) = try await Self.signUp("ann@example.com", on: server)
        #expect((signedUp["account"] as? [String: Any])?["email"] as? String == "ann@example.com")
        #expect(!(String(describing: signedUp).contains("scrypt")), "no password hash in answers")
        #expect(try await ann.call("GET", "/api/services").status == 403, "no organization yet")
        let org = try await ann.call("POST", "/api/organizations", ["slug": "ann-co", "name": "Ann Co"])
        #expect(org.status == 201 && org.json["role"] as? String == "owner", "\(org.text)")
        #expect(try await ann.call("POST", "/api/services", ["name": "API"]).status == 201, "one membership: no header")
        let me = try await ann.call("GET", "/api/auth/me")
        #expect((me.json["organizations"] as? [[String: Any]])?.first?["slug"] as? String == "ann-co")
        #expect(try await ann.call("POST", "/api/auth/logout").status == 204)
        #expect(try await ann.call("GET", "/api/auth/me").status == 401, "logout revokes at once")
        #expect(try await ann.call("GET", "/api/services").status == 401)
    }

    @Test func login_andPasswordChange_revokeOldSessions() async throws {
        let server = try Self.server()
        let anonymous = APIClient(token: "none").with(server)
        _ = try await Self.signUp("bob@example.com", on: server)
        let wrong = try await anonymous.call(
            "POST", "/api/auth/login", ["email": "bob@example.com", "password": "not the password"])
        let unknown = try await anonymous.call(
            "POST", "/api/auth/login", ["email": "nobody@example.com", "password": "not the password"])
        #expect(wrong.status == 401 && unknown.status == 401)
        #expect(wrong.json["detail"] as? String == unknown.json["detail"] as? String, "no hint which was wrong")
        let login = try await anonymous.call(
            "POST", "/api/auth/login", ["email": "BOB@example.com", "password": "correct horse battery"])
        #expect(login.status == 200, "\(login.text)")
        let bob = APIClient(token: login.json["token"] as? String ?? "").with(server)
        let short = try await bob.call(
            "PUT", "/api/auth/password", ["current_password": "correct horse battery", "new_password": "short"])
        #expect(short.status == 422 && short.field == "new_password")
        let badCurrent = try await bob.call(
            "PUT", "/api/auth/password", ["current_password": "nope nope nope", "new_password": "a new long password"])
        #expect(badCurrent.status == 403)
        let changed = try await bob.call(
            "PUT", "/api/auth/password",
            ["current_password": "correct horse battery", "new_password": "a new long password"])
        #expect(changed.status == 200)
        #expect(try await bob.call("GET", "/api/auth/me").status == 401, "the old session is closed")
        let renewed = APIClient(token: changed.json["token"] as? String ?? "").with(server)
        #expect(try await renewed.call("GET", "/api/auth/me").status == 200)
        let old = try await anonymous.call(
            "POST", "/api/auth/login", ["email": "bob@example.com", "password": "correct horse battery"])
        #expect(old.status == 401)
        let tampered = APIClient(token: String(renewed.token.dropLast(2)) + "AA").with(server)
        #expect(try await tampered.call("GET", "/api/auth/me").status == 401, "a forged MAC is refused")
    }

    @Test func signUpModes() async throws {
        let off = try Self.server(["--signup", "off"])
        let refused = try await APIClient(token: "none").with(off).call(
            "POST", "/api/auth/signup", ["email": "a@example.com", "password": "long enough pw"])
        #expect(refused.status == 403)

        let closed = try Self.server(["--signup", "invite-only"])
        let anonymous = APIClient(token: "none").with(closed)
        let uninvited = try await anonymous.call(
            "POST", "/api/auth/signup", ["email": "a@example.com", "password": "long enough pw"])
        #expect(uninvited.status == 403 && uninvited.field == "invitation")
        // An owner made by the operator invites; only the invited email may use the token to sign up.
        let data = closed.dataDirectory.path
        closed.stop()
        let owner = APIClient(token: try TwoTenants.createOrganization("acme", data: data))
        let reopened = try StatusdProcess(
            arguments: ["--signup", "invite-only"], dataDirectory: URL(fileURLWithPath: data))
        owner.server = reopened
        let invited = try await owner.call("POST", "/api/team/invite", ["email": "cat@example.com", "role": "editor"])
        #expect(invited.status == 201, "\(invited.text)")
        let token = try #require(invited.json["token"] as? String)
        let stranger = try await APIClient(token: "none").with(reopened).call(
            "POST", "/api/auth/signup", ["email": "dan@example.com", "password": "long enough pw", "invitation": token])
        #expect(stranger.status == 403, "another email cannot use the token")
        let (cat, _) = try await Self.signUp("cat@example.com", on: reopened, invitation: token)
        let me = try await cat.call("GET", "/api/team/members/me")
        #expect(me.status == 200 && me.json["role"] as? String == "editor", "\(me.text)")
        try? FileManager.default.removeItem(atPath: data)
    }

    @Test func invitations_roles_andRemoval() async throws {
        let server = try Self.server()
        let (owner, _) = try await Self.signUp("owner@example.com", on: server)
        _ = try await owner.call("POST", "/api/organizations", ["slug": "team-co", "name": "Team Co"])
        let invited = try await owner.call("POST", "/api/team/invite", ["email": "ed@example.com", "role": "editor"])
        let token = try #require(invited.json["token"] as? String)
        let lookup = try await APIClient(token: "none").with(server).call("GET", "/api/team/invitations/\(token)")
        #expect(lookup.status == 200 && lookup.json["organization_slug"] as? String == "team-co")

        let (eve, _) = try await Self.signUp("eve@example.com", on: server)
        #expect(try await eve.call("POST", "/api/team/invitations/\(token)/accept").status == 403, "wrong email")
        let (ed, _) = try await Self.signUp("ed@example.com", on: server)
        let accepted = try await ed.call("POST", "/api/team/invitations/\(token)/accept")
        #expect(accepted.status == 200 && accepted.json["role"] as? String == "editor", "\(accepted.text)")
        #expect(try await ed.call("POST", "/api/team/invitations/\(token)/accept").status == 404, "used once")

        #expect(try await ed.call("POST", "/api/services", ["name": "API"]).status == 201, "editors edit")
        #expect(
            try await ed.call("POST", "/api/team/invite", ["email": "x@example.com", "role": "viewer"]).status == 403)
        #expect(try await ed.call("POST", "/api/keys", ["name": "k", "role": "viewer"]).status == 403)
        let members = try await owner.call("GET", "/api/team/members")
        #expect(members.items.count == 2)
        let ownerMember = try #require(members.items.first { $0["role"] as? String == "owner" }?["id"] as? String)
        let edMember = try #require(members.items.first { $0["role"] as? String == "editor" }?["id"] as? String)
        #expect(try await owner.call("DELETE", "/api/team/members/\(ownerMember)").status == 409, "last owner stays")
        #expect(try await ed.call("PUT", "/api/team/members/\(edMember)", ["role": "owner"]).status == 403)
        #expect(try await owner.call("DELETE", "/api/team/members/\(edMember)").status == 204)
        #expect(try await ed.call("GET", "/api/services").status == 403, "removal takes effect at once")
    }

    @Test func expiredInvitation_cannotBeUsed() async throws {
        let server = try Self.server(["--invitation-hours", "0.0003"])  // about one second
        let (owner, _) = try await Self.signUp("owner@example.com", on: server)
        _ = try await owner.call("POST", "/api/organizations", ["slug": "late-co", "name": "Late"])
        let invited = try await owner.call("POST", "/api/team/invite", ["email": "late@example.com", "role": "viewer"])
        let token = try #require(invited.json["token"] as? String)
        let (late, _) = try await Self.signUp("late@example.com", on: server)
        // Waiting past the expiry is not a speed assumption: an invitation only gets more expired.
        try await Task.sleep(for: .seconds(2))
        #expect(try await late.call("GET", "/api/team/invitations/\(token)").status == 404)
        #expect(try await late.call("POST", "/api/team/invitations/\(token)/accept").status == 404)
        #expect(try await late.call("GET", "/api/services").status == 403, "not a member")
    }

    @Test func severalMemberships_needTheHeader_andNeverReachOthers() async throws {
        let server = try Self.server()
        let (ann, _) = try await Self.signUp("ann@example.com", on: server)
        _ = try await ann.call("POST", "/api/organizations", ["slug": "first-co", "name": "First"])
        let second = try await ann.call("POST", "/api/organizations", ["slug": "second-co", "name": "Second"])
        let secondID = try #require(second.json["id"] as? String)
        let (bob, _) = try await Self.signUp("bob@example.com", on: server)
        let bobs = try await bob.call("POST", "/api/organizations", ["slug": "bob-co", "name": "Bob"])
        let bobID = try #require(bobs.json["id"] as? String)

        let ambiguous = try await ann.call("GET", "/api/services")
        #expect(ambiguous.status == 400 && ambiguous.field == "X-Organization")
        #expect(try await ann.call("GET", "/api/services", headers: ["X-Organization": "second-co"]).status == 200)
        #expect(try await ann.call("GET", "/api/services", headers: ["X-Organization": "bob-co"]).status == 404)
        #expect(try await ann.call("PUT", "/api/organizations/\(bobID)", ["name": "Mine"]).status == 404)
        #expect(try await ann.call("DELETE", "/api/organizations/\(bobID)").status == 404)
        #expect(try await ann.call("GET", "/api/organizations/\(bobID)/export").status == 404)
        let bobAccount = try #require(
            (try await bob.call("GET", "/api/auth/me").json["account"] as? [String: Any])?["id"] as? String)
        #expect(
            try await ann.call(
                "GET", "/api/organizations/check-user/\(bobAccount)",
                headers: ["X-Organization": "first-co"]
            ).status == 404, "not a member of Ann's organization")
        #expect(try await bob.call("GET", "/api/organizations/check-user/\(bobAccount)").status == 200, "oneself")

        let renamed = try await ann.call("PUT", "/api/organizations/\(secondID)", ["name": "Second Inc"])
        #expect(renamed.status == 200 && renamed.json["name"] as? String == "Second Inc")
        let export = try await ann.call("GET", "/api/organizations/second-co/export")
        #expect(export.status == 200 && export.json["organization"] != nil && !export.text.contains("hash"))
        #expect(try await ann.call("DELETE", "/api/organizations/\(secondID)").status == 204)
        #expect(try await ann.call("GET", "/api/services").status == 200, "one membership left: no header needed")
        #expect(try await bob.call("GET", "/api/organizations").items.count == 1)
    }

    @Test func apiKeys_cannotActAsPeople() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        #expect(try await tenants.acme.call("GET", "/api/auth/me").status == 403)
        #expect(try await tenants.acme.call("POST", "/api/organizations", ["slug": "x-co", "name": "X"]).status == 403)
        #expect(try await tenants.acme.call("GET", "/api/organizations").items.count == 1)
    }
}
