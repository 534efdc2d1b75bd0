public import Foundation  // Date is part of the public values.

/// An account's membership of an organization. Membership lives only in the organization's stream.
public struct Member: Hashable, Sendable, Codable, Identifiable {
    public let id: MemberID
    public let accountID: AccountID
    public var role: Role
    public let joinedAt: Date
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
}

/// An organization API key (`sk_<id>_<secret>`); only the SHA-256 of the secret is kept.
public struct APIKey: Hashable, Sendable, Codable, Identifiable {
    public let id: KeyID
    public let name: String
    public let role: Role
    public let secretHash: [UInt8]
    public let createdBy: Principal
    public let createdAt: Date
}
