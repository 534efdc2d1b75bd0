public import Foundation  // Date appears in the clock the registry is given.
import HashTreeCollections
import Synchronization

/// Finds organizations by id, slug, custom domain, API key and member account. Not an actor: a read
/// takes one short lock for a dictionary lookup and never queues behind a write (invariant 4, docs/ARCHITECTURE.md).
///
/// The indexes are derived from the organizations' own events (creation, settings, keys, members), so
/// an organization and its owner are created by one atomic event; the registry reserves a slug or a
/// domain before the event is appended, so two organizations can never both take one.
public final class Registry: Sendable {
    struct Index {
        var organizations: [OrgID: OrgActor] = [:]
        var bySlug: [String: OrgID] = [:]
        var byDomain: [String: OrgID] = [:]
        var byKey: [KeyID: OrgID] = [:]
        var byAccount: [AccountID: Set<OrgID>] = [:]
        /// The slug and domain each organization is indexed under, to move them in O(1).
        var names: [OrgID: (slug: String, domain: String?)] = [:]
        /// Slugs and domains claimed by a write in flight.
        var reserved: Set<String> = []
        /// Organizations whose creation is being appended: not findable yet, but a snapshot must
        /// see their unpublished position.
        var creations: [OrgID: OrgActor] = [:]
    }

    private let index = Mutex(Index())
    private let log: any EventLog
    private let clock: @Sendable () -> Date
    private let onPublish: @Sendable (OrgView, [OrgEvent]) -> Void
    private let quotas: OrgQuotas
    private let claims: (any NameClaims)?

    /// A registry whose organizations append to `log`.
    /// - Parameter onPublish: handed to every `OrgActor` (the live hub's entry point).
    /// - Parameter quotas: the per-tenant limits every organization gets.
    /// - Parameter claims: where names are claimed across the writers of a shared log (cluster mode).
    public init(
        log: any EventLog, clock: @escaping @Sendable () -> Date = { WallClock.now() }, quotas: OrgQuotas = OrgQuotas(),
        claims: (any NameClaims)? = nil, onPublish: @escaping @Sendable (OrgView, [OrgEvent]) -> Void = { _, _ in }
    ) {
        self.log = log
        self.clock = clock
        self.quotas = quotas
        self.claims = claims
        self.onPublish = onPublish
    }

    // MARK: Reads

    /// The organization with this id.
    public func organization(id: OrgID) -> OrgActor? { index.withLock { $0.organizations[id] } }

    /// The organization with this slug.
    public func organization(slug: String) -> OrgActor? {
        index.withLock { index in index.bySlug[slug].flatMap { index.organizations[$0] } }
    }

    /// The organization serving this custom domain.
    public func organization(domain: String) -> OrgActor? {
        index.withLock { index in index.byDomain[domain.lowercased()].flatMap { index.organizations[$0] } }
    }

    /// The organization an API key belongs to.
    public func organization(key: KeyID) -> OrgActor? {
        index.withLock { index in index.byKey[key].flatMap { index.organizations[$0] } }
    }

    /// The organizations an account is a member of.
    public func organizations(member account: AccountID) -> [OrgActor] {
        index.withLock { index in (index.byAccount[account] ?? []).sorted().compactMap { index.organizations[$0] } }
    }

    /// Every organization, ordered by id.
    public var all: [OrgActor] {
        index.withLock { $0.organizations.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// Every organization and every one being created.
    var allIncludingCreations: [OrgActor] {
        index.withLock { Array($0.organizations.values) + Array($0.creations.values) }
    }

    // MARK: Writes

    /// Creates an organization with `owner` as its owner, in one event.
    /// - Throws: `EngineError` (`slug` taken or invalid, ...).
    public func createOrganization(slug: String, name: String, timeZone: String, owner: AccountID) async throws
        -> Commit
    {
        var state = OrgState(id: .random())
        state.quotas = quotas
        let actor = makeActor(state)
        try reserve(slug: slug, domain: nil)
        defer { release(slug) }
        let command = OrgCommand.createOrganization(slug: slug, name: name, timeZone: timeZone, owner: owner)
        index.withLock { $0.creations[actor.id] = actor }
        defer { _ = index.withLock { $0.creations.removeValue(forKey: actor.id) } }
        let commit = try await claimingNames([OrgName(.slug, slug)], of: actor) {
            try await actor.submit(command, by: .account(owner))
        }
        index.withLock { $0.organizations[actor.id] = actor }
        return commit
    }

    /// Runs `command` on an organization and keeps the indexes in step with what it made durable.
    public func submit(_ command: OrgCommand, to actor: OrgActor, by principal: Principal, key: CommandKey? = nil)
        async throws -> Commit
    {
        var reserved: [String] = []
        var wanted: Set<OrgName> = []
        switch command {
        case .updateOrganization(let patch):
            let domain = patch.customDomain.flatMap { $0 }
            try reserve(slug: patch.slug, domain: domain, for: actor.id)
            reserved = [patch.slug, domain].compactMap { $0 }
            wanted = Set(
                [patch.slug.map { OrgName(.slug, $0) }, domain.map { OrgName(.domain, $0) }].compactMap { $0 })
        case .deleteOrganization:
            // Takes no name; the ones it lets go of are given back after it.
            break
        default:
            return try await actor.submit(command, by: principal, key: key)
        }
        defer { for name in reserved { release(name) } }
        return try await claimingNames(wanted, of: actor) { try await actor.submit(command, by: principal, key: key) }
    }

    /// Runs `write` with `names` claimed for the organization first (on a shared log), then gives back
    /// what it does not hold afterwards: the names it claimed when the write failed, the ones it had
    /// before and moved away from when it succeeded.
    private func claimingNames(_ names: Set<OrgName>, of actor: OrgActor, _ write: () async throws -> Commit)
        async throws -> Commit
    {
        guard let claims else { return try await write() }
        let before = Self.names(of: actor)
        let claiming = names.subtracting(before)
        if !claiming.isEmpty { try await claims.claim(claiming, for: actor.id) }
        let commit: Commit
        do {
            commit = try await write()
        } catch {
            await claims.release(claiming.subtracting(Self.names(of: actor)), of: actor.id)
            throw error
        }
        let letGo = before.union(claiming).subtracting(Self.names(of: actor))
        if !letGo.isEmpty { await claims.release(letGo, of: actor.id) }
        return commit
    }

    /// The names the organization holds now (none before it exists or after its deletion).
    private static func names(of actor: OrgActor) -> Set<OrgName> {
        let state = actor.view.state
        return state.exists ? OrgName.held(by: state.settings) : []
    }

    /// Applies an organization's events that other writers appended (cluster mode: the node's follower
    /// of the log), creating the organization when it was made elsewhere, and keeps the indexes (slug,
    /// domain, keys, members) in step.
    /// - Throws: `AppendRefused(.unavailable)` when the log cannot be read.
    public func follow(_ id: OrgID, _ events: [OrgEvent]) async throws {
        let known = index.withLock { $0.organizations[id] ?? $0.creations[id] }
        let actor: OrgActor
        if let known {
            actor = known
        } else {
            var state = OrgState(id: id)
            state.quotas = quotas
            actor = makeActor(state)
        }
        let applied = try await actor.follow(events)
        if known == nil, !applied.isEmpty, actor.view.state.exists {
            // Findable once it has its state, not before (readers would see an empty organization).
            index.withLock { $0.organizations[id] = actor }
        }
    }

    /// Moves every maintenance window whose start or end has come: the timer's work, run by the
    /// server once a second. The transition is an event, so it survives a restart: a window due while
    /// statusd was down moves on the first run after start-up.
    /// - Returns: how many organizations changed.
    @discardableResult
    public func advanceDueMaintenance(now: Date) async -> Int {
        var changed = 0
        for actor in all {
            guard let deadline = actor.view.nextDeadline, deadline <= now else { continue }
            if let commit = try? await actor.submit(.advanceMaintenance, by: .system), !commit.events.isEmpty {
                changed += 1
            }
        }
        return changed
    }

    /// Folds raw status changes that fell out of the window, for every organization that has some:
    /// the history timer's work, run by the server hourly.
    /// - Returns: how many organizations changed.
    @discardableResult
    public func compactDueHistory(now: Date) async -> Int {
        var changed = 0
        for actor in all where actor.view.state.needsHistoryCompaction(at: now) {
            if let commit = try? await actor.submit(.compactHistory, by: .system), !commit.events.isEmpty {
                changed += 1
            }
        }
        return changed
    }

    /// Forgets subscribers whose time is up (quarantined past their purge time, unconfirmed past the
    /// confirmation expiry), for every organization that has some: the hourly timer's work.
    /// - Returns: how many organizations changed.
    @discardableResult
    public func purgeDueSubscribers(now: Date) async -> Int {
        var changed = 0
        for actor in all where actor.view.state.hasPurgeableSubscribers(at: now) {
            if let commit = try? await actor.submit(.purgeSubscribers, by: .system), !commit.events.isEmpty {
                changed += 1
            }
        }
        return changed
    }

    /// Puts recovered organizations in place (start-up, before the port opens).
    public func restore(_ states: [OrgState]) {
        for var state in states where state.exists {
            state.quotas = quotas
            let actor = makeActor(state)
            index.withLock { index in
                index.organizations[state.id] = actor
                Self.setNames(of: state, in: &index)
                for key in state.keys.keys { index.byKey[key] = state.id }
                for member in state.members.values { index.byAccount[member.accountID, default: []].insert(state.id) }
            }
        }
    }

    /// An organization's actor whose every publication (its own commits, and on a shared log what it
    /// caught up or followed of other writers') moves the indexes, then reaches the live hub.
    private func makeActor(_ state: OrgState) -> OrgActor {
        let onPublish = self.onPublish
        return OrgActor(state: state, log: log, clock: clock) { [weak self] view, events in
            self?.reindex(view, after: events)
            onPublish(view, events)
        }
    }

    private func reserve(slug: String?, domain: String?, for owner: OrgID? = nil) throws {
        try index.withLock { index in
            for (name, map, field) in [(slug, index.bySlug, "slug"), (domain, index.byDomain, "custom_domain")] {
                guard let name else { continue }
                let holder = map[name]
                if holder != nil && holder != owner || index.reserved.contains(name) {
                    throw EngineError(.conflict, field: field, "'\(name)' is taken")
                }
            }
            if let slug { index.reserved.insert(slug) }
            if let domain { index.reserved.insert(domain) }
        }
    }

    private func release(_ name: String) {
        _ = index.withLock { $0.reserved.remove(name) }
    }

    /// Brings the indexes up to date with an organization's view after `events`.
    private func reindex(_ view: OrgView, after events: [OrgEvent]) {
        let id = view.id
        index.withLock { index in
            for event in events {
                switch event.change {
                case .organizationCreated(_, _, let owner), .memberAdded(let owner, _):
                    index.byAccount[owner.accountID, default: []].insert(id)
                case .memberRemoved(_, let account):
                    index.byAccount[account]?.remove(id)
                case .keyCreated(let key): index.byKey[key.id] = id
                case .keyRevoked(let key): index.byKey[key] = nil
                case .organizationDeleted: Self.forget(id, in: &index)
                default: break
                }
            }
            if view.state.exists { Self.setNames(of: view.state, in: &index) }
        }
    }

    /// Indexes an organization under its current slug and domain, dropping the names it had.
    private static func setNames(of state: OrgState, in index: inout Index) {
        let names = (slug: state.settings.slug, domain: state.settings.customDomain)
        if let old = index.names[state.id] {
            guard old != names else { return }
            index.bySlug[old.slug] = nil
            if let domain = old.domain { index.byDomain[domain] = nil }
        }
        index.names[state.id] = names
        index.bySlug[names.slug] = state.id
        if let domain = names.domain { index.byDomain[domain] = state.id }
    }

    private static func forget(_ id: OrgID, in index: inout Index) {
        index.organizations[id] = nil
        if let old = index.names.removeValue(forKey: id) {
            index.bySlug[old.slug] = nil
            if let domain = old.domain { index.byDomain[domain] = nil }
        }
        index.byKey = index.byKey.filter { $0.value != id }
        for account in index.byAccount.keys { index.byAccount[account]?.remove(id) }
    }
}
