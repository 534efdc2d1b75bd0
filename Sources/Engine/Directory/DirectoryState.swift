public import Foundation  // Date is part of the public values.
public import HashTreeCollections  // TreeDictionary is the persistent map the published state shares.

/// A person who can sign in: by password, by an OpenID Connect identity, or both.
public struct Account: Hashable, Sendable, Codable, Identifiable {
    public let id: AccountID
    public var email: String
    public var name: String
    /// The password KDF's output with its parameters, as the server encodes it; `nil` for OIDC-only.
    public var passwordHash: [UInt8]?
    public let createdAt: Date

    /// Every field, as the codec and tests build values.
    package init(id: AccountID, email: String, name: String, passwordHash: [UInt8]?, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// A signed-in session; a session token names it, so removing it revokes the token at once.
public struct Session: Hashable, Sendable, Codable, Identifiable {
    public let id: SessionID
    public let accountID: AccountID
    public let createdAt: Date
    public let expiresAt: Date

    /// Every field, as the codec and tests build values.
    package init(id: SessionID, accountID: AccountID, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.accountID = accountID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// An OpenID Connect identity: issuer and subject, stable across email changes.
public struct IdentityKey: Hashable, Sendable, Codable {
    public let issuer: String
    public let subject: String

    public init(issuer: String, subject: String) {
        self.issuer = issuer
        self.subject = subject
    }
}

/// The state that belongs to no single organization: accounts, sessions and
/// identity links. Organization slugs, key ids and memberships are indexed by the `Registry` from the
/// organizations' own streams, so that creating an organization with its owner is one event.
public struct DirectoryState: Equatable, Sendable {
    public internal(set) var seq: Seq = .zero
    public internal(set) var accounts: TreeDictionary<AccountID, Account> = [:]
    public internal(set) var accountsByEmail: TreeDictionary<String, AccountID> = [:]
    public internal(set) var sessions: TreeDictionary<SessionID, Session> = [:]
    public internal(set) var identities: TreeDictionary<IdentityKey, AccountID> = [:]

    public init() {}

    /// Every field, as a snapshot stores them; the email index is rebuilt from the accounts.
    package init(
        seq: Seq, accounts: TreeDictionary<AccountID, Account>, sessions: TreeDictionary<SessionID, Session>,
        identities: TreeDictionary<IdentityKey, AccountID>
    ) {
        self.seq = seq
        self.accounts = accounts
        self.sessions = sessions
        self.identities = identities
        for account in accounts.values { accountsByEmail[account.email] = account.id }
    }

    /// The account registered under an email, compared case-insensitively.
    public func account(email: String) -> Account? {
        accountsByEmail[email.lowercased()].flatMap { accounts[$0] }
    }

    /// A live session: known, and not expired at `now`.
    public func session(_ id: SessionID, at now: Date) -> Session? {
        guard let session = sessions[id], session.expiresAt > now, accounts[session.accountID] != nil else {
            return nil
        }
        return session
    }
}

/// One durable fact of the directory stream.
public struct DirectoryEvent: Hashable, Sendable, Codable {
    public let seq: Seq
    public let at: Date
    public let change: DirectoryChange

    public init(seq: Seq, at: Date, change: DirectoryChange) {
        self.seq = seq
        self.at = at
        self.change = change
    }
}

/// What a directory event changes.
public enum DirectoryChange: Hashable, Sendable, Codable {
    case accountCreated(Account)
    case passwordChanged(AccountID, passwordHash: [UInt8])
    case sessionOpened(Session)
    case sessionClosed(SessionID)
    case identityLinked(IdentityKey, AccountID)
    /// Sessions that expired at or before this instant were removed (the hourly sweep).
    case sessionsExpired(before: Date)
}

/// A request to change the directory.
public enum DirectoryCommand: Sendable {
    case signUp(email: String, name: String, passwordHash: [UInt8]?)
    /// Sets a new password and closes every session of the account.
    case changePassword(AccountID, passwordHash: [UInt8])
    case openSession(AccountID, expiresAt: Date)
    case closeSession(SessionID)
    /// Links an OIDC identity to an account, creating the account on first sight.
    case linkIdentity(IdentityKey, email: String, name: String)
    /// Removes expired sessions, so that the directory does not grow with every sign-in (the timer's).
    case expireSessions
}
