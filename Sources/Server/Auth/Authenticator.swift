package import Engine
import Foundation
package import HTTPTypes
import HashTreeCollections
import JWTKit
package import Logging
package import Wire

/// Resolves the credential of a request (docs/RULES.md, "Requests" and "Roles"
/// ): `Authorization: Bearer` with an organization API key `sk_<key id>_<secret>`, a session token
/// `<session id>.<mac>` from a login, or an OpenID Connect token from the configured provider (a JWT:
/// its `(iss, sub)` names an account, made on first use).
///
/// Unknown, revoked and wrong credentials all answer the same 401, so a response never tells which
/// part was wrong. A key is bound to its organization: an `X-Organization` naming another answers
/// 404, never a switch. A signed-in account acts in its only organization, or in the one
/// `X-Organization` names among its memberships (400 without it when it has several); membership is
/// read on every request, so a removed member loses access at once.
package struct Authenticator: Sendable {
    package static let organizationHeader = HTTPField.Name("X-Organization")!

    /// Who presented a valid credential.
    package enum Identity: Sendable {
        case apiKey(KeyID, OrgActor)
        case account(Account, SessionID)
        /// A person signed in by the OpenID Connect provider; `emailVerified` is the token's word, and
        /// `organization` the token's `statusd_org` claim, if any.
        case federated(Account, emailVerified: Bool, organization: String?)

        /// The person behind the credential, if it is one.
        package var person: Account? {
            switch self {
            case .apiKey: nil
            case .account(let account, _), .federated(let account, _, _): account
            }
        }
    }

    package let registry: Registry
    package let directory: Directory
    package let sessions: SessionTokens
    package let oidc: OIDCVerifier?
    package let usage: KeyUsage
    package let logger: Logger

    package func identity(for request: HTTPRequest) async throws -> Identity {
        guard let header = request.headerFields[.authorization] else {
            if let token = SessionCookie.token(inCookies: request.headerFields[values: .cookie]) {
                return try cookieIdentity(token, request)
            }
            throw Self.unauthorized("credentials required: Authorization: Bearer <API key or session token>")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        return try await identity(token: parts[1].trimmingCharacters(in: .whitespaces))
    }

    /// Who a bearer token names: an API key, an OpenID Connect token or a session token.
    package func identity(token: String) async throws -> Identity {
        if token.hasPrefix(APIKeyToken.prefix) { return try apiKey(token) }
        if token.split(separator: ".").count == 3 { return try await federated(token) }
        guard let (account, id) = openSession(token) else { throw Self.unauthorized("invalid or expired credential") }
        return .account(account, id)
    }

    /// The account and session a session token names, while the session is open.
    private func openSession(_ token: String) -> (Account, SessionID)? {
        guard let id = sessions.session(from: token), let session = directory.state.session(id, at: WallClock.now()),
            let account = directory.state.accounts[session.accountID]
        else { return nil }
        return (account, id)
    }

    package static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// The dashboard's session, from its HttpOnly cookie. A cookie travels with requests other sites
    /// make too, so a request that changes anything must also carry the session's CSRF token, which
    /// only a page of statusd's own origin can read (SameSite=Strict is the second guard).
    private func cookieIdentity(_ token: String, _ request: HTTPRequest) throws -> Identity {
        guard let (account, id) = openSession(token) else {
            throw Self.unauthorized("the session has ended; sign in again")
        }
        if ![.get, .head, .options].contains(request.method) {
            let sent = Array((request.headerFields[Self.csrfHeader] ?? "").utf8)
            guard constantTimeEqual(sent, Array(sessions.csrf(for: id).utf8)) else {
                throw Problem(
                    status: .forbidden, detail: "a session cookie needs the X-CSRF-Token header on changes",
                    field: "X-CSRF-Token")
            }
        }
        return .account(account, id)
    }

    /// The caller of an organization-scoped route.
    package func caller(for request: HTTPRequest) async throws -> Caller {
        let identity = try await identity(for: request)
        var chosen = request.headerFields[Self.organizationHeader]
        if chosen == nil, case .federated(_, _, let claim) = identity { chosen = claim }
        switch identity {
        case .apiKey(let key, let organization):
            if let chosen, !Self.names(organization, chosen) {
                throw Self.noSuchOrganization(chosen)
            }
            return Caller(principal: .apiKey(key), organization: organization)
        case .account(let account, _), .federated(let account, _, _):
            let memberships = registry.organizations(member: account.id)
            if let chosen {
                guard let organization = memberships.first(where: { Self.names($0, chosen) }) else {
                    throw Self.noSuchOrganization(chosen)
                }
                return Caller(principal: .account(account.id), organization: organization)
            }
            switch memberships.count {
            case 1: return Caller(principal: .account(account.id), organization: memberships[0])
            case 0:
                throw Problem(
                    status: .forbidden, detail: "not a member of any organization: create one or accept an invitation")
            default:
                throw Problem(
                    status: .badRequest,
                    detail: "member of \(memberships.count) organizations: name one with the X-Organization header",
                    field: "X-Organization")
            }
        }
    }

    /// The caller acting in the organization a path names (by id or slug), which must be the key's own
    /// or one of the account's memberships: anything else answers 404.
    package func caller(for request: HTTPRequest, naming text: String) async throws -> Caller {
        guard let caller = caller(try await identity(for: request), naming: text) else {
            throw Self.noSuchOrganization(text)
        }
        return caller
    }

    /// The identity acting in the organization `text` names (id or slug): the key's own, or one of
    /// the account's memberships; nil for any other.
    package func caller(_ identity: Identity, naming text: String) -> Caller? {
        switch identity {
        case .apiKey(let key, let organization):
            return Self.names(organization, text) ? Caller(principal: .apiKey(key), organization: organization) : nil
        case .account(let account, _), .federated(let account, _, _):
            return registry.organizations(member: account.id).first(where: { Self.names($0, text) }).map {
                Caller(principal: .account(account.id), organization: $0)
            }
        }
    }

    /// The person of an account-scoped route (an API key acts for an organization, not a person).
    package func person(for request: HTTPRequest) async throws -> (Account, Identity) {
        let identity = try await identity(for: request)
        guard let account = identity.person else {
            throw Problem(status: .forbidden, detail: "this route needs a signed-in account, not an API key")
        }
        return (account, identity)
    }

    /// The account an OpenID Connect token names by `(iss, sub)`, made (with the token's email and
    /// name) the first time it is seen.
    private func federated(_ token: String) async throws -> Identity {
        guard let oidc else { throw Self.unauthorized("invalid or expired credential") }
        let claims: OIDCVerifier.Claims
        do {
            claims = try await oidc.verify(token)
        } catch {
            logger.info("OpenID Connect token refused", metadata: ["reason": "\(error)"])
            throw Self.unauthorized("invalid or expired credential")
        }
        let key = IdentityKey(issuer: claims.iss.value, subject: claims.sub.value)
        let verified = claims.emailVerified ?? false
        if let id = directory.state.identities[key], let account = directory.state.accounts[id] {
            return .federated(account, emailVerified: verified, organization: claims.organization)
        }
        guard let email = claims.email else {
            throw Self.unauthorized("the token has no email claim; statusd needs one to make an account")
        }
        _ = try await directory.submit(.linkIdentity(key, email: email, name: claims.name ?? ""))
        guard let id = directory.state.identities[key], let account = directory.state.accounts[id] else {
            throw Problem(status: .internalServerError, detail: "the identity was not linked")
        }
        return .federated(account, emailVerified: verified, organization: claims.organization)
    }

    /// `sk_<key id>_<secret>`: the key id finds the organization, the secret's SHA-256 is compared in
    /// constant time with the stored one.
    private func apiKey(_ token: String) throws -> Identity {
        let rest = token.dropFirst(APIKeyToken.prefix.count)
        guard let separator = rest.lastIndex(of: "_"), let keyID = KeyID(rest[..<separator]),
            let organization = registry.organization(key: keyID),
            let key = organization.view.state.keys[keyID],
            constantTimeEqual(APIKeyToken.hash(String(rest[rest.index(after: separator)...])), key.secretHash)
        else { throw Self.unauthorized("invalid API key") }
        usage.record(keyID)
        return .apiKey(keyID, organization)
    }

    private static func names(_ organization: OrgActor, _ text: String) -> Bool {
        text == organization.id.rawValue || text == organization.view.state.settings.slug
    }

    private static func noSuchOrganization(_ text: String) -> Problem {
        Problem(
            status: .notFound, detail: "no organization '\(text.prefix(64))' for this credential",
            field: "X-Organization")
    }

    package static func unauthorized(_ detail: String) -> Problem {
        Problem(status: .unauthorized, detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    package init(
        registry: Registry, directory: Directory, sessions: SessionTokens, oidc: OIDCVerifier?, usage: KeyUsage,
        logger: Logger
    ) {
        self.registry = registry
        self.directory = directory
        self.sessions = sessions
        self.oidc = oidc
        self.usage = usage
        self.logger = logger
    }
}
