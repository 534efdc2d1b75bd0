package import Auth
package import Engine
package import Foundation
import HashTreeCollections
package import Hummingbird
import Live
import Wire

/// How people get accounts and sessions (`--signup`, `--session-hours`).
package struct AccountPolicy: Sendable {
    package enum Signup: String, Sendable, CaseIterable {
        /// Anyone may sign up.
        case open
        /// Only with an open invitation for the same email.
        case inviteOnly = "invite-only"
        /// Accounts come from `statusd org create` or OpenID Connect only.
        case off
    }

    package var signup: Signup
    package var sessionLifetime: TimeInterval
    /// Whether session cookies are `Secure`: statusd is reached over https (`--public-url`).
    package var secureCookies = false

    package init(signup: Signup, sessionLifetime: TimeInterval, secureCookies: Bool = false) {
        self.signup = signup
        self.sessionLifetime = sessionLifetime
        self.secureCookies = secureCookies
    }
}

/// `/api/auth`: sign up, log in, log out, who am I, change password.
package struct AuthRoutes: Sendable {
    package let authenticator: Authenticator
    package let registry: Registry
    package let directory: Directory
    package let hasher: PasswordHasher
    package let tokens: SessionTokens
    package let policy: AccountPolicy
    package let throttle: LoginThrottle

    package func add(to router: Router<StatusdRequestContext>) {
        router.post("/api/auth/signup", use: signup)
        router.post("/api/auth/login", use: login)
        router.post("/api/auth/logout", use: logout)
        router.get("/api/auth/me", use: me)
        router.put("/api/auth/password", use: changePassword)
    }

    package struct AccountBody: Encodable {
        package let id: AccountID
        package let email: String
        package let name: String
        package let createdAt: Date

        package init(_ account: Account) {
            id = account.id
            email = account.email
            name = account.name
            createdAt = account.createdAt
        }
    }

    package struct SessionBody: Encodable {
        package let account: AccountBody
        package let token: String
        package let expiresAt: Date
        /// What the dashboard sends in `X-CSRF-Token` with the session cookie.
        package let csrfToken: String
    }

    package struct Credentials: Decodable {
        package let email: String
        package let password: String
        package let name: String?
        package let invitation: String?

        package init(from decoder: any Decoder) throws {
            let input = try decoder.container(keyedBy: InputKey.self)
            email = try input.required(String.self, "email")
            password = try input.required(String.self, "password")
            name = try input.value(String.self, "name")
            invitation = try input.value(String.self, "invitation", "invitation_token")
        }
    }

    package struct PasswordChange: Decodable {
        package let current: String
        package let new: String

        package init(from decoder: any Decoder) throws {
            let input = try decoder.container(keyedBy: InputKey.self)
            current = try input.required(String.self, "current_password")
            new = try input.required(String.self, "new_password")
        }
    }

    @Sendable package func signup(request: Request, context: StatusdRequestContext) async throws -> Response {
        let input = try await JSONBody.decode(Credentials.self, from: request)
        try Self.checkPassword(input.password, field: "password")
        let invitation = try invitationForSignup(input)
        let hash = try await hashed { try await hasher.hash(input.password) }
        let events = try await directory.submit(
            .signUp(email: input.email, name: input.name ?? input.email, passwordHash: hash))
        guard case .accountCreated(let account) = events.first?.change else {
            throw Problem(status: .internalServerError, detail: "no account was created")
        }
        if let (organization, tokenHash) = invitation {
            _ = try await registry.submit(
                .acceptInvitation(tokenHash: tokenHash, account: account.id, email: account.email), to: organization,
                by: .account(account.id))
        }
        return try await openSession(for: account, status: .created)
    }

    @Sendable package func login(request: Request, context: StatusdRequestContext) async throws -> Response {
        let input = try await JSONBody.decode(Credentials.self, from: request)
        let address = context.clientAddress(of: request) ?? "unknown"
        // Before the hash: a guesser waiting out its backoff costs no CPU.
        if let seconds = throttle.wait(email: input.email, address: address) {
            throw Problem(
                status: .tooManyRequests, detail: "too many failed logins; retry in \(seconds) s",
                headers: [.retryAfter: String(seconds)])
        }
        let account = directory.state.account(email: input.email)
        let matches = try await hashed { try await hasher.verify(input.password, against: account?.passwordHash) }
        guard matches, let account else {
            throttle.failed(email: input.email, address: address)
            throw Authenticator.unauthorized("wrong email or password")
        }
        throttle.succeeded(email: input.email, address: address)
        return try await openSession(for: account, status: .ok)
    }

    @Sendable package func logout(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, identity) = try await authenticator.person(for: request)
        guard case .account(_, let session) = identity else {
            throw Problem(
                status: .badRequest, detail: "an OpenID Connect token is not a session; sign out at its provider")
        }
        _ = try await directory.submit(.closeSession(session))
        var response = ResourceAPI.noContent()
        response.headers[.setCookie] = cookie("", maxAge: 0)
        return response
    }

    package struct MeBody: Encodable {
        package struct Membership: Encodable {
            package let id: OrgID
            package let slug: String
            package let name: String
            package let role: Role
        }
        package let account: AccountBody
        package let organizations: [Membership]
        /// For a session: what the dashboard sends in `X-CSRF-Token` (it cannot read its cookie).
        package let csrfToken: String?
    }

    @Sendable package func me(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (account, identity) = try await authenticator.person(for: request)
        var csrf: String?
        if case .account(_, let session) = identity { csrf = tokens.csrf(for: session) }
        let memberships = registry.organizations(member: account.id).compactMap { organization -> MeBody.Membership? in
            let state = organization.view.state
            guard let member = state.member(for: account.id) else { return nil }
            return MeBody.Membership(
                id: state.id, slug: state.settings.slug, name: state.settings.name, role: member.role)
        }
        return try ResourceAPI.json(
            MeBody(account: AccountBody(account), organizations: memberships, csrfToken: csrf))
    }

    /// Changes the password, which closes every session of the account (the directory does), and
    /// answers a new session for the caller.
    @Sendable package func changePassword(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (account, _) = try await authenticator.person(for: request)
        let input = try await JSONBody.decode(PasswordChange.self, from: request)
        try Self.checkPassword(input.new, field: "new_password")
        guard try await hashed({ try await hasher.verify(input.current, against: account.passwordHash) }) else {
            throw Problem(status: .forbidden, detail: "the current password is wrong", field: "current_password")
        }
        let hash = try await hashed { try await hasher.hash(input.new) }
        _ = try await directory.submit(.changePassword(account.id, passwordHash: hash))
        return try await openSession(for: account, status: .ok)
    }

    private func openSession(for account: Account, status: HTTPResponse.Status) async throws -> Response {
        let expiresAt = WallClock.now().addingTimeInterval(policy.sessionLifetime)
        let events = try await directory.submit(.openSession(account.id, expiresAt: expiresAt))
        guard case .sessionOpened(let session) = events.first?.change else {
            throw Problem(status: .internalServerError, detail: "no session was opened")
        }
        let token = tokens.token(for: session.id)
        var response = try ResourceAPI.json(
            SessionBody(
                account: AccountBody(account), token: token, expiresAt: session.expiresAt,
                csrfToken: tokens.csrf(for: session.id)),
            status: status)
        response.headers[.setCookie] = cookie(token, maxAge: Int(policy.sessionLifetime))
        return response
    }

    /// The dashboard's session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's
    /// request carries it), Secure when statusd is reached over https.
    private func cookie(_ value: String, maxAge: Int) -> String {
        "\(SessionCookie.name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
            + (policy.secureCookies ? "; Secure" : "")
    }

    /// Under `invite-only`, the organization and token hash of an open invitation for this email.
    private func invitationForSignup(_ input: Credentials) throws -> (OrgActor, [UInt8])? {
        switch policy.signup {
        case .off:
            throw Problem(status: .forbidden, detail: "sign-up is off on this server")
        case .open where input.invitation == nil:
            return nil
        case .open, .inviteOnly:
            guard let token = input.invitation else {
                throw Problem(
                    status: .forbidden, detail: "sign-up needs an invitation on this server", field: "invitation")
            }
            let hash = RandomSecret.hash(token)
            if let (organization, invitation) = registry.openInvitation(tokenHash: hash, at: WallClock.now()),
                invitation.email == input.email.lowercased()
            {
                return (organization, hash)
            }
            throw Problem(
                status: .forbidden, detail: "no open invitation for this email and token", field: "invitation")
        }
    }

    /// Runs a hash on the KDF pool; a full pool answers 503 with Retry-After.
    private func hashed<Value>(_ work: () async throws -> Value) async throws -> Value {
        do {
            return try await work()
        } catch is PasswordHasher.Busy {
            throw Problem(
                status: .serviceUnavailable, detail: "too many sign-ins at once; retry in a second",
                headers: [.retryAfter: "1"])
        }
    }

    package static func checkPassword(_ password: String, field: String) throws {
        if let refusal = PasswordPolicy.refusal(of: password, field: field) {
            throw Problem(status: .unprocessableContent, detail: refusal, field: field)
        }
    }

    package init(
        authenticator: Authenticator, registry: Registry, directory: Directory, hasher: PasswordHasher,
        tokens: SessionTokens, policy: AccountPolicy, throttle: LoginThrottle
    ) {
        self.authenticator = authenticator
        self.registry = registry
        self.directory = directory
        self.hasher = hasher
        self.tokens = tokens
        self.policy = policy
        self.throttle = throttle
    }
}
