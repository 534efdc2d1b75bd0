public import Foundation  // Date and TimeZone appear in the public API of organization values.

/// An organization's public settings: what its status page shows about itself.
public struct OrgSettings: Hashable, Sendable, Codable {
    public var slug: String
    public var name: String
    /// An IANA time zone identifier; days of uptime are counted in it.
    public var timeZone: String
    public var branding: Branding
    public var customDomain: String?

    public init(
        slug: String, name: String, timeZone: String, branding: Branding = Branding(), customDomain: String? = nil
    ) {
        self.slug = slug
        self.name = name
        self.timeZone = timeZone
        self.branding = branding
        self.customDomain = customDomain
    }

    /// The zone for day boundaries; a stored identifier was validated when set.
    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? .gmt }
}

/// What an organization's page looks like; every field is validated (https logo, `#rrggbb`).
public struct Branding: Hashable, Sendable, Codable {
    public var logoURL: String?
    public var accentColor: String?

    public init(logoURL: String? = nil, accentColor: String? = nil) {
        self.logoURL = logoURL
        self.accentColor = accentColor
    }
}

/// Per-tenant limits; a full quota answers a clear 4xx.
public struct OrgQuotas: Hashable, Sendable, Codable {
    public var servicesMax = 500
    public var groupsMax = 100
    public var activeIncidentsMax = 100
    public var updatesPerIncidentMax = 500
    public var openMaintenanceMax = 200
    public var membersMax = 500
    public var invitationsMax = 200
    public var keysMax = 100

    public init() {}
}

/// Text limits shared by every command, in characters (grapheme clusters).
public enum TextLimits {
    public static let nameCharactersMax = 200
    public static let descriptionCharactersMax = 2_000
    public static let bodyCharactersMax = 20_000
    public static let emailCharactersMax = 254
}
