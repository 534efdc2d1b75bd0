import Foundation

/// Field checks shared by every command. Each throws `EngineError.invalid` naming the field.
enum Validate {
    /// Slugs that would collide with our own routes.
    static let reservedSlugs: Set<String> = [
        "api", "admin", "status", "dashboard", "docs", "ws", "s", "v1", "v2", "health", "ready", "metrics",
        "openapi", "static", "assets", "login", "logout", "signup", "accept-invitation", "www", "statusd",
    ]

    /// A required line of text: trimmed, not empty, at most `max` characters, no control characters.
    static func name(_ text: String, field: String, max: Int = TextLimits.nameCharactersMax) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw EngineError.invalid(field, "must not be empty") }
        try length(trimmed, field: field, max: max)
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw EngineError.invalid(field, "must not contain control characters")
        }
        return trimmed
    }

    /// Free text that may be empty (descriptions): trimmed, at most `max` characters.
    static func text(_ text: String, field: String, max: Int = TextLimits.descriptionCharactersMax) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        try length(trimmed, field: field, max: max)
        return trimmed
    }

    /// A required message body (incident and maintenance updates).
    static func body(_ text: String, field: String = "body") throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw EngineError.invalid(field, "must not be empty") }
        try length(trimmed, field: field, max: TextLimits.bodyCharactersMax)
        return trimmed
    }

    /// The times a schedule may name: 1970 to 2999. Besides sense, a bound the log's codec relies on:
    /// it refuses times outside Foundation's calendar range (years 1 to 4001) as corruption.
    static let scheduleRange =
        Date(timeIntervalSince1970: 0)...Date(timeIntervalSinceReferenceDate: 31_525_286_400)  // 2999-12-31T00:00:00Z

    static func scheduled(_ time: Date, field: String) throws {
        guard scheduleRange.contains(time) else {
            throw EngineError.invalid(field, "must be between 1970 and 2999")
        }
    }

    private static func length(_ text: String, field: String, max: Int) throws {
        guard text.count <= max else { throw EngineError.invalid(field, "must be at most \(max) characters") }
    }

    /// A slug: `[a-z0-9-]{2,40}`, not starting or ending with `-`, not reserved.
    static func slug(_ slug: String, field: String = "slug") throws -> String {
        let allowed = slug.utf8.allSatisfy(isLowercaseAlphanumericOrHyphen)
        guard (2...40).contains(slug.utf8.count), allowed else {
            throw EngineError.invalid(field, "must be 2 to 40 characters of a-z, 0-9 and -")
        }
        guard !slug.hasPrefix("-"), !slug.hasSuffix("-") else {
            throw EngineError.invalid(field, "must not start or end with -")
        }
        guard !reservedSlugs.contains(slug) else { throw EngineError.invalid(field, "'\(slug)' is reserved") }
        return slug
    }

    /// An IANA time zone identifier that this system knows.
    static func timeZone(_ identifier: String, field: String = "time_zone") throws -> String {
        guard TimeZone(identifier: identifier) != nil else {
            throw EngineError.invalid(field, "'\(identifier)' is not a known IANA time zone")
        }
        return identifier
    }

    /// A colour `#rrggbb` (lowercased), the only form page CSS receives.
    static func color(_ color: String, field: String = "accent_color") throws -> String {
        let lower = color.lowercased()
        let hex = lower.utf8.dropFirst()
        guard lower.utf8.count == 7, lower.hasPrefix("#"),
            hex.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { throw EngineError.invalid(field, "must be a colour #rrggbb") }
        return lower
    }

    /// An absolute https URL of at most 2,000 characters.
    static func httpsURL(_ text: String, field: String = "logo_url") throws -> String {
        guard text.count <= 2_000, let url = URL(string: text), url.scheme == "https", url.host?.isEmpty == false else {
            throw EngineError.invalid(field, "must be an https URL")
        }
        return text
    }

    /// An absolute http or https URL of at most 2,000 characters, without credentials in it (a
    /// destination statusd posts to; the outbound guard checks where it leads when it is used).
    static func webURL(_ text: String, field: String) throws -> String {
        guard text.count <= 2_000, let url = URL(string: text), url.scheme == "https" || url.scheme == "http",
            url.host?.isEmpty == false, url.user == nil, url.password == nil
        else { throw EngineError.invalid(field, "must be an http or https URL") }
        return text
    }

    /// An email address as people type them: one `@`, a dot in the domain; lowercased for matching.
    static func email(_ text: String, field: String = "email") throws -> String {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= TextLimits.emailCharactersMax, parts.count == 2, !parts[0].isEmpty,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !email.contains(where: \.isWhitespace)
        else { throw EngineError.invalid(field, "must be an email address") }
        return email
    }

    /// A host name for a custom domain: lowercase labels of letters, digits and hyphens.
    static func domain(_ text: String, field: String = "custom_domain") throws -> String {
        let domain = text.lowercased()
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            labels.count >= 2 && domain.utf8.count <= 253
            && labels.allSatisfy { label in
                (1...63).contains(label.utf8.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.utf8.allSatisfy(isLowercaseAlphanumericOrHyphen)
            }
        guard valid else { throw EngineError.invalid(field, "must be a domain name such as status.example.com") }
        // A name, never an address in any of the forms a resolver reads as one (`10.0.0.1`, `127.1`,
        // `0x7f.1`): statusd fetches from the domain to verify it. A real top-level domain is never
        // all digits (RFC 3696, section 2).
        let topLevel = labels.last ?? ""
        guard IPv4Literal.parse(domain) == nil, !topLevel.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw EngineError.invalid(field, "must be a domain name, not an IP address")
        }
        return domain
    }

    /// `a-z`, `0-9` or `-`: the bytes of slugs and of domain labels.
    private static func isLowercaseAlphanumericOrHyphen(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
    }

    /// A list position: 0 or more.
    static func position(_ position: Int, field: String = "position") throws -> Int {
        guard position >= 0, position <= 1_000_000 else {
            throw EngineError.invalid(field, "must be between 0 and 1000000")
        }
        return position
    }
}
