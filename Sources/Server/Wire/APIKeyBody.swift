package import Engine
package import Foundation

/// An API key as the API and the admins' live feed show it (never its secret, but at creation).
package struct APIKeyBody: Encodable {
    package let id: KeyID
    package let name: String
    package let role: Role
    package let createdBy: String
    package let createdAt: Date
    /// When a request last presented the key (kept to the minute across restarts).
    package let lastUsedAt: Date?
    /// `sk_<id>_<secret>`: in the creation response only.
    package let token: String?

    package init(_ key: APIKey, lastUsedAt: Date? = nil, token: String? = nil) {
        id = key.id
        name = key.name
        role = key.role
        createdBy = Representation.author(key.createdBy)
        createdAt = key.createdAt
        self.lastUsedAt = lastUsedAt
        self.token = token
    }
}
