import Engine
import Foundation
import HashTreeCollections
import NIOCore

/// Whole states in their byte form, as snapshots hold them (docs/FORMAT.md "Snapshot").
extension ByteBuffer {
    /// - Parameter canonical: maps in key order, so that equal states are equal bytes in any process
    ///   (the state digest); snapshots skip the sorting.
    mutating func writeSnapshotOrg(_ state: OrgState, canonical: Bool = false) {
        writeWALID(state.id)
        writeWALInteger(state.seq.rawValue)
        writeWALInteger(state.publicSeq.rawValue)
        writeWALBool(state.exists)
        writeWALDate(state.createdAt)
        writeWALDate(state.updatedAt)
        writeWALSettings(state.settings)
        writeWALEntries(state.services, canonical: canonical) { $0.writeWALService($1.value) }
        writeWALEntries(state.groups, canonical: canonical) { $0.writeWALGroup($1.value) }
        writeWALEntries(state.statusHistory, canonical: canonical) { buffer, entry in
            buffer.writeWALID(entry.key)
            buffer.writeWALArray(Array(entry.value)) { $0.writeSnapshotChange($1) }
        }
        writeWALEntries(state.dailyUptime, canonical: canonical) { buffer, entry in
            buffer.writeWALID(entry.key)
            buffer.writeWALArray(Array(entry.value)) { $0.writeSnapshotDay($1) }
        }
        writeWALEntriesByBytes(state.claims, canonical: canonical) { buffer, entry in
            buffer.writeSnapshotClaimOwner(entry.key.owner)
            buffer.writeWALID(entry.key.serviceID)
            buffer.writeWALEnum(entry.value.previousStatus)
            buffer.writeWALReason(entry.value.previousReason)
        }
        writeWALEntries(state.incidents, canonical: canonical) { $0.writeWALIncident($1.value) }
        writeWALEntries(state.maintenance, canonical: canonical) { $0.writeWALMaintenance($1.value) }
        writeWALEntries(state.members, canonical: canonical) { $0.writeWALMember($1.value) }
        writeWALEntries(state.invitations, canonical: canonical) { $0.writeWALInvitation($1.value) }
        writeWALEntries(state.keys, canonical: canonical) { $0.writeWALKey($1.value) }
        writeWALOptional(state.verifiedDomain) { $0.writeWALString($1) }
        writeWALEntries(state.keyedCommands, canonical: canonical) { buffer, entry in
            buffer.writeWALCommandKey(CommandKey(unchecked: entry.key, fingerprint: entry.value.fingerprint))
            buffer.writeWALDate(entry.value.at)
            buffer.writeWALArray(entry.value.events) { $0.writeWALEventBody($1) }
        }
        writeWALOptional(state.keyedCommandFilling) { buffer, filling in
            buffer.writeWALString(filling.key)
            buffer.writeWALInt(filling.remaining)
        }
        writeWALEntries(state.subscribers, canonical: canonical) { $0.writeWALSubscriber($1.value) }
        writeWALSubscriptionSettings(state.subscriptionSettings)
        writeWALEntries(state.pendingNotices, canonical: canonical) { buffer, entry in
            buffer.writeWALInteger(entry.key.rawValue)
            buffer.writeWALDate(entry.value.at)
            buffer.writeWALNoticeSubject(entry.value.subject)
        }
        writeWALEntries(state.remindedWindows, canonical: canonical) { buffer, entry in
            buffer.writeWALID(entry.key)
            buffer.writeWALDate(entry.value)
        }
    }

    /// - Parameter version: the snapshot's format version: 1 has no verified custom domain, 2 no keyed
    ///   commands, 3 no subscribers.
    mutating func readSnapshotOrg(version: UInt16) throws -> OrgState {
        let id: OrgID = try readWALID()
        let seq = Seq(try readWALInteger(as: UInt64.self))
        let publicSeq = Seq(try readWALInteger(as: UInt64.self))
        let exists = try readWALBool()
        let createdAt = try readWALDate()
        let updatedAt = try readWALDate()
        let settings = try readWALSettings()
        let services = try readWALArray { try $0.readWALService() }
        let groups = try readWALArray { try $0.readWALGroup() }
        let histories = try readWALArray { buffer -> (ServiceID, AppendLog<StatusChange>) in
            let service: ServiceID = try buffer.readWALID()
            return (service, AppendLog(try buffer.readWALArray { try $0.readSnapshotChange(service) }))
        }
        let daily = try readWALArray { buffer -> (ServiceID, AppendLog<DayUptime>) in
            (try buffer.readWALID(), AppendLog(try buffer.readWALArray { try $0.readSnapshotDay() }))
        }
        let claims = try readWALArray { buffer -> (ClaimKey, StatusClaim) in
            let key = ClaimKey(owner: try buffer.readSnapshotClaimOwner(), serviceID: try buffer.readWALID())
            return (
                key, StatusClaim(previousStatus: try buffer.readWALEnum(), previousReason: try buffer.readWALReason())
            )
        }
        let incidents = try Self.map(try readWALArray { try $0.readWALIncident() }, { $0.id })
        let maintenance = try Self.map(try readWALArray { try $0.readWALMaintenance() }, { $0.id })
        let members = try Self.map(try readWALArray { try $0.readWALMember() }, { $0.id })
        let invitations = try Self.map(try readWALArray { try $0.readWALInvitation() }, { $0.id })
        let keys = try Self.map(try readWALArray { try $0.readWALKey() }, { $0.id })
        let verifiedDomain = version >= 2 ? try readWALOptional { try $0.readWALString() } : nil
        let keyed =
            version >= 3
            ? try readWALArray { buffer -> (String, KeyedCommand) in
                let key = try buffer.readWALCommandKey()
                let at = try buffer.readWALDate()
                let events = try buffer.readWALArray { try $0.readWALEventBody() }
                return (key.key, KeyedCommand(fingerprint: key.fingerprint, at: at, events: events))
            } : []
        let filling =
            version >= 3
            ? try readWALOptional { KeyedCommandFilling(key: try $0.readWALString(), remaining: try $0.readWALInt()) }
            : nil
        let subscribers = version >= 4 ? try Self.map(try readWALArray { try $0.readWALSubscriber() }, { $0.id }) : [:]
        let subscription = version >= 4 ? try readWALSubscriptionSettings() : SubscriptionSettings()
        let notices =
            version >= 4
            ? try readWALArray { buffer -> PendingNotice in
                let seq = Seq(try buffer.readWALInteger(as: UInt64.self))
                let at = try buffer.readWALDate()
                return PendingNotice(seq: seq, subject: try buffer.readWALNoticeSubject(), at: at)
            } : []
        let reminded =
            version >= 4
            ? try readWALArray { buffer -> (MaintenanceID, Date) in (try buffer.readWALID(), try buffer.readWALDate()) }
            : []
        return OrgState(
            id: id, seq: seq, publicSeq: publicSeq, settings: settings, createdAt: createdAt, updatedAt: updatedAt,
            exists: exists, services: try Self.map(services, { $0.id }), groups: try Self.map(groups, { $0.id }),
            statusHistory: try Self.unique(histories), dailyUptime: try Self.unique(daily),
            claims: try Self.unique(claims), incidents: incidents, maintenance: maintenance, members: members,
            invitations: invitations, keys: keys, verifiedDomain: verifiedDomain,
            keyedCommands: try Self.unique(keyed), keyedCommandFilling: filling, subscribers: subscribers,
            subscriptionSettings: subscription, pendingNotices: try Self.map(notices, { $0.seq }),
            remindedWindows: try Self.unique(reminded))
    }

    /// - Parameter canonical: as for `writeSnapshotOrg`.
    mutating func writeSnapshotDirectory(_ state: DirectoryState, canonical: Bool = false) {
        writeWALInteger(state.seq.rawValue)
        writeWALEntries(state.accounts, canonical: canonical) { buffer, entry in
            let account = entry.value
            buffer.writeWALID(account.id)
            buffer.writeWALString(account.email)
            buffer.writeWALString(account.name)
            buffer.writeWALOptional(account.passwordHash) { $0.writeWALBytes($1) }
            buffer.writeWALDate(account.createdAt)
        }
        writeWALEntries(state.sessions, canonical: canonical) { buffer, entry in
            let session = entry.value
            buffer.writeWALID(session.id)
            buffer.writeWALID(session.accountID)
            buffer.writeWALDate(session.createdAt)
            buffer.writeWALDate(session.expiresAt)
        }
        writeWALEntriesByBytes(state.identities, canonical: canonical) { buffer, entry in
            buffer.writeWALString(entry.key.issuer)
            buffer.writeWALString(entry.key.subject)
            buffer.writeWALID(entry.value)
        }
    }

    mutating func readSnapshotDirectory() throws -> DirectoryState {
        let seq = Seq(try readWALInteger(as: UInt64.self))
        let accounts = try readWALArray { buffer in
            Account(
                id: try buffer.readWALID(), email: try buffer.readWALString(), name: try buffer.readWALString(),
                passwordHash: try buffer.readWALOptional { try $0.readWALBytes() }, createdAt: try buffer.readWALDate())
        }
        let sessions = try readWALArray { buffer in
            Session(
                id: try buffer.readWALID(), accountID: try buffer.readWALID(), createdAt: try buffer.readWALDate(),
                expiresAt: try buffer.readWALDate())
        }
        let identities = try readWALArray { buffer -> (IdentityKey, AccountID) in
            (
                IdentityKey(issuer: try buffer.readWALString(), subject: try buffer.readWALString()),
                try buffer.readWALID()
            )
        }
        return DirectoryState(
            seq: seq, accounts: try Self.map(accounts, { $0.id }), sessions: try Self.map(sessions, { $0.id }),
            identities: try Self.unique(identities))
    }

    /// A status change without its service id, which the history's key gives.
    private mutating func writeSnapshotChange(_ change: StatusChange) {
        writeWALOptional(change.from) { $0.writeWALEnum($1) }
        writeWALEnum(change.to)
        writeWALDate(change.at)
        writeWALPrincipal(change.by)
        writeWALReason(change.reason)
    }

    private mutating func readSnapshotChange(_ service: ServiceID) throws -> StatusChange {
        StatusChange(
            serviceID: service, from: try readWALOptional { try $0.readWALEnum() }, to: try readWALEnum(),
            at: try readWALDate(), by: try readWALPrincipal(), reason: try readWALReason())
    }

    /// One folded day: its start, label, uptime, worst status and the two exact totals.
    private mutating func writeSnapshotDay(_ day: DayUptime) {
        writeWALDate(day.start)
        writeWALString(day.date)
        writeWALOptional(day.uptime) { $0.writeWALInteger($1.bitPattern) }
        writeWALOptional(day.worst) { $0.writeWALEnum($1) }
        writeWALInteger(day.downtimeSeconds.bitPattern)
        writeWALInteger(day.countedSeconds.bitPattern)
    }

    private mutating func readSnapshotDay() throws -> DayUptime {
        DayUptime(
            start: try readWALDate(), date: try readWALString(),
            uptime: try readWALOptional { Double(bitPattern: try $0.readWALInteger(as: UInt64.self)) },
            worst: try readWALOptional { try $0.readWALEnum() },
            downtimeSeconds: Double(bitPattern: try readWALInteger(as: UInt64.self)),
            countedSeconds: Double(bitPattern: try readWALInteger(as: UInt64.self)))
    }

    private mutating func writeSnapshotClaimOwner(_ owner: ClaimOwner) {
        switch owner {
        case .incident(let id): writeWALInteger(UInt8(1)); writeWALID(id)
        case .maintenance(let id): writeWALInteger(UInt8(2)); writeWALID(id)
        }
    }

    private mutating func readSnapshotClaimOwner() throws -> ClaimOwner {
        switch try readWALInteger(as: UInt8.self) {
        case 1: return .incident(try readWALID())
        case 2: return .maintenance(try readWALID())
        case let tag: throw CodecError("unknown claim owner tag \(tag)")
        }
    }

    private static func unique<Key: Hashable, Value>(_ pairs: [(Key, Value)]) throws -> TreeDictionary<Key, Value> {
        let map = TreeDictionary(pairs, uniquingKeysWith: { first, _ in first })
        guard map.count == pairs.count else {
            throw CodecError("\(pairs.count - map.count) duplicate keys in a snapshot")
        }
        return map
    }

    /// A map from values keyed by their id; a duplicate id is corruption, reported rather than merged.
    private static func map<Key: Hashable, Value>(_ values: [Value], _ key: (Value) -> Key) throws
        -> TreeDictionary<Key, Value>
    {
        var map = TreeDictionary<Key, Value>()
        for value in values { map[key(value)] = value }
        guard map.count == values.count else {
            throw CodecError("\(values.count - map.count) duplicate ids in a snapshot")
        }
        return map
    }
}
