public import Foundation  // Date is part of the public values.

/// An account's membership of an organization. Membership lives only in the organization's stream.
public struct Member: Hashable, Sendable, Codable, Identifiable {
    public let id: MemberID
    public let accountID: AccountID
    public var role: Role
    public let joinedAt: Date

    /// Every field, as the codec and tests build values.
    package init(id: MemberID, accountID: AccountID, role: Role, joinedAt: Date) {
        self.id = id
        self.accountID = accountID
        self.role = role
        self.joinedAt = joinedAt
    }
}

/// An open invitation; the token itself is never stored, only its SHA-256.
public struct Invitation: Hashable, Sendable, Codable, Identifiable {
    public let id: InvitationID
    public let email: String
    public let role: Role
    public let tokenHash: [UInt8]
    public let invitedBy: Principal
    public let createdAt: Date
    public let expiresAt: Date

    /// Every field, as the codec and tests build values.
    package init(
        id: InvitationID, email: String, role: Role, tokenHash: [UInt8], invitedBy: Principal, createdAt: Date,
        expiresAt: Date
    ) {
        self.id = id
        self.email = email
        self.role = role
        self.tokenHash = tokenHash
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// An organization API key (`sk_<id>_<secret>`); only the SHA-256 of the secret is kept.
public struct APIKey: Hashable, Sendable, Codable, Identifiable {
    public let id: KeyID
    public let name: String
    public let role: Role
    public let secretHash: [UInt8]
    public let createdBy: Principal
    public let createdAt: Date

    /// Every field, as the codec and tests build values.
    package init(id: KeyID, name: String, role: Role, secretHash: [UInt8], createdBy: Principal, createdAt: Date) {
        self.id = id
        self.name = name
        self.role = role
        self.secretHash = secretHash
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}
