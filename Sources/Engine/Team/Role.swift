/// A member's or an API key's role, from most to least powerful.
public enum Role: String, CaseIterable, Hashable, Sendable, Codable, Comparable {
    case owner
    case admin
    case editor
    case viewer

    /// Parses client input, case-insensitive.
    public init?(input: String) {
        self.init(rawValue: input.lowercased())
    }

    /// Higher grants more.
    public var rank: Int {
        switch self {
        case .owner: 3
        case .admin: 2
        case .editor: 1
        case .viewer: 0
        }
    }

    /// Whether this role may do what `needed` may.
    public func allows(_ needed: Role) -> Bool { rank >= needed.rank }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}
