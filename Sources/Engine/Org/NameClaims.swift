/// A slug or a custom domain, as organizations hold them: no two organizations may hold one.
public struct OrgName: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case slug
        case domain
    }

    public let kind: Kind
    /// Domains are compared lowercased, as requests find them.
    public let name: String

    public init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = kind == .domain ? name.lowercased() : name
    }

    public var description: String { "\(kind.rawValue) '\(name)'" }

    /// The names an organization with these settings holds.
    public static func held(by settings: OrgSettings) -> Set<OrgName> {
        var names: Set<OrgName> = [OrgName(.slug, settings.slug)]
        if let domain = settings.customDomain { names.insert(OrgName(.domain, domain)) }
        return names
    }
}

/// Where the processes that write one shared log (cluster mode) claim names before taking them. Each
/// organization is its own stream, so the log's per-stream check cannot keep two organizations written
/// on two nodes from taking one slug; the `Registry` claims a name here before appending the event that
/// takes it, and gives it back when the event failed or once the organization let go of it. A process
/// alone on its log needs none: the registry's own index decides.
public protocol NameClaims: Sendable {
    /// Claims `names` for `org`, all or none; claiming a name `org` already claimed is no change.
    /// - Throws: `EngineError(.conflict)` naming the field when another organization holds one;
    ///   `AppendRefused(.unavailable)` when the claims cannot be reached.
    func claim(_ names: Set<OrgName>, for org: OrgID) async throws

    /// Gives back names `org` claimed and does not hold (the event failed, or it moved to others).
    /// A failure is the claims' own to clean up later: it is logged, not thrown.
    func release(_ names: Set<OrgName>, of org: OrgID) async
}
