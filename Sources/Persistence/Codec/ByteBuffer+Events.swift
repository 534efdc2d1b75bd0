import Engine
import Foundation
import NIOCore

/// Events in their byte form: a tag per change, then its fields (docs/FORMAT.md "Event payloads").
/// Tags are never reused; a new change takes a new tag.
extension ByteBuffer {
    mutating func writeWALOrgEvent(_ orgID: OrgID, _ event: OrgEvent) {
        writeWALID(orgID)
        writeWALEventBody(event)
    }

    mutating func readWALOrgEvent() throws -> (OrgID, OrgEvent) {
        let orgID: OrgID = try readWALID()
        return (orgID, try readWALEventBody())
    }

    /// An event without its organization's id (a snapshot's keyed commands keep them so).
    mutating func writeWALEventBody(_ event: OrgEvent) {
        writeWALInteger(event.seq.rawValue)
        writeWALDate(event.at)
        writeWALPrincipal(event.by)
        writeWALChange(event.change)
    }

    mutating func readWALEventBody() throws -> OrgEvent {
        let seq = Seq(try readWALInteger(as: UInt64.self))
        let at = try readWALDate()
        let by = try readWALPrincipal()
        return OrgEvent(seq: seq, at: at, by: by, change: try readWALChange())
    }

    mutating func writeWALDirectoryEvent(_ event: DirectoryEvent) {
        writeWALInteger(event.seq.rawValue)
        writeWALDate(event.at)
        switch event.change {
        case .accountCreated(let account):
            writeWALInteger(UInt8(1))
            writeWALID(account.id)
            writeWALString(account.email)
            writeWALString(account.name)
            writeWALOptional(account.passwordHash) { $0.writeWALBytes($1) }
            writeWALDate(account.createdAt)
        case .passwordChanged(let id, let hash): writeWALInteger(UInt8(2)); writeWALID(id); writeWALBytes(hash)
        case .sessionOpened(let session):
            writeWALInteger(UInt8(3))
            writeWALID(session.id)
            writeWALID(session.accountID)
            writeWALDate(session.createdAt)
            writeWALDate(session.expiresAt)
        case .sessionClosed(let id): writeWALInteger(UInt8(4)); writeWALID(id)
        case .identityLinked(let key, let account):
            writeWALInteger(UInt8(5))
            writeWALString(key.issuer)
            writeWALString(key.subject)
            writeWALID(account)
        case .sessionsExpired(let before):
            writeWALInteger(UInt8(6))
            writeWALDate(before)
        }
    }

    mutating func readWALDirectoryEvent() throws -> DirectoryEvent {
        let seq = Seq(try readWALInteger(as: UInt64.self))
        let at = try readWALDate()
        let change: DirectoryChange
        switch try readWALInteger(as: UInt8.self) {
        case 1:
            change = .accountCreated(
                Account(
                    id: try readWALID(), email: try readWALString(), name: try readWALString(),
                    passwordHash: try readWALOptional { try $0.readWALBytes() }, createdAt: try readWALDate()))
        case 2: change = .passwordChanged(try readWALID(), passwordHash: try readWALBytes())
        case 3:
            change = .sessionOpened(
                Session(
                    id: try readWALID(), accountID: try readWALID(), createdAt: try readWALDate(),
                    expiresAt: try readWALDate()))
        case 4: change = .sessionClosed(try readWALID())
        case 5:
            change = .identityLinked(
                IdentityKey(issuer: try readWALString(), subject: try readWALString()), try readWALID())
        case 6: change = .sessionsExpired(before: try readWALDate())
        case let tag: throw CodecError("unknown directory change tag \(tag)")
        }
        return DirectoryEvent(seq: seq, at: at, change: change)
    }

    // swiftlint:disable:next cyclomatic_complexity
    mutating func writeWALChange(_ change: OrgChange) {
        switch change {
        case .organizationCreated(let id, let settings, let owner):
            writeWALInteger(UInt8(1)); writeWALID(id); writeWALSettings(settings); writeWALMember(owner)
        case .organizationUpdated(let settings): writeWALInteger(UInt8(2)); writeWALSettings(settings)
        case .organizationDeleted: writeWALInteger(UInt8(3))
        case .customDomainVerified(let domain): writeWALInteger(UInt8(6)); writeWALString(domain)
        case .historyCompacted(let cutoff): writeWALInteger(UInt8(4)); writeWALDate(cutoff)
        case .historyArchived(let incidents, let maintenance):
            writeWALInteger(UInt8(5))
            writeWALArray(incidents) { $0.writeWALID($1) }
            writeWALArray(maintenance) { $0.writeWALID($1) }
        case .serviceCreated(let service): writeWALInteger(UInt8(10)); writeWALService(service)
        case .serviceUpdated(let id, let details):
            writeWALInteger(UInt8(11))
            writeWALID(id)
            writeWALString(details.name)
            writeWALString(details.description)
            writeWALOptional(details.groupID) { $0.writeWALID($1) }
            writeWALInt(details.position)
        case .serviceStatusChanged(let id, let status, let reason):
            writeWALInteger(UInt8(12)); writeWALID(id); writeWALEnum(status); writeWALReason(reason)
        case .serviceDeleted(let id): writeWALInteger(UInt8(13)); writeWALID(id)
        case .groupCreated(let group): writeWALInteger(UInt8(20)); writeWALGroup(group)
        case .groupUpdated(let id, let details):
            writeWALInteger(UInt8(21))
            writeWALID(id)
            writeWALString(details.name)
            writeWALString(details.description)
            writeWALInt(details.position)
        case .groupDeleted(let id): writeWALInteger(UInt8(22)); writeWALID(id)
        case .incidentCreated(let incident): writeWALInteger(UInt8(30)); writeWALIncident(incident)
        case .incidentEdited(let id, let name, let impact):
            writeWALInteger(UInt8(31)); writeWALID(id); writeWALString(name); writeWALEnum(impact)
        case .incidentUpdatePosted(let id, let update, let affected):
            writeWALInteger(UInt8(32))
            writeWALID(id)
            writeWALIncidentUpdate(update)
            writeWALOptional(affected) { buffer, list in buffer.writeWALArray(list) { $0.writeWALAffected($1) } }
        case .incidentDeleted(let id): writeWALInteger(UInt8(33)); writeWALID(id)
        case .incidentUpdateEdited(let id, let update, let body):
            writeWALInteger(UInt8(34)); writeWALID(id); writeWALID(update); writeWALString(body)
        case .maintenanceScheduled(let window): writeWALInteger(UInt8(40)); writeWALMaintenance(window)
        case .maintenanceEdited(let id, let details):
            writeWALInteger(UInt8(41)); writeWALID(id); writeWALMaintenanceDetails(details)
        case .maintenanceStatusChanged(let id, let update):
            writeWALInteger(UInt8(42)); writeWALID(id); writeWALMaintenanceUpdate(update)
        case .maintenanceDeleted(let id): writeWALInteger(UInt8(43)); writeWALID(id)
        case .maintenanceUpdateEdited(let id, let update, let body):
            writeWALInteger(UInt8(44)); writeWALID(id); writeWALID(update); writeWALString(body)
        default: writeWALTeamChange(change)
        }
    }

    private mutating func writeWALTeamChange(_ change: OrgChange) {
        switch change {
        case .memberAdded(let member, let invitation):
            writeWALInteger(UInt8(50)); writeWALMember(member); writeWALOptional(invitation) { $0.writeWALID($1) }
        case .memberRoleChanged(let id, let role): writeWALInteger(UInt8(51)); writeWALID(id); writeWALEnum(role)
        case .memberRemoved(let id, let account): writeWALInteger(UInt8(52)); writeWALID(id); writeWALID(account)
        case .invitationCreated(let invitation): writeWALInteger(UInt8(53)); writeWALInvitation(invitation)
        case .invitationRevoked(let id): writeWALInteger(UInt8(54)); writeWALID(id)
        case .keyCreated(let key): writeWALInteger(UInt8(55)); writeWALKey(key)
        case .keyRevoked(let id): writeWALInteger(UInt8(56)); writeWALID(id)
        case .pageStatusChanged(let status):
            writeWALInteger(UInt8(60)); writeWALEnum(status.indicator); writeWALString(status.description)
        case .commandKeyed(let key, let events):
            writeWALInteger(UInt8(61)); writeWALCommandKey(key); writeWALInt(events)
        default:
            guard writeWALSubscriberChange(change) else { preconditionFailure("change without a tag: \(change)") }
        }
    }

    mutating func readWALChange() throws -> OrgChange {
        let tag = try readWALInteger(as: UInt8.self)
        switch tag {
        case 1: return .organizationCreated(try readWALID(), try readWALSettings(), owner: try readWALMember())
        case 2: return .organizationUpdated(try readWALSettings())
        case 3: return .organizationDeleted
        case 4: return .historyCompacted(before: try readWALDate())
        case 5:
            return .historyArchived(
                incidents: try readWALArray { try $0.readWALID() }, maintenance: try readWALArray { try $0.readWALID() }
            )
        case 10: return .serviceCreated(try readWALService())
        case 11:
            return .serviceUpdated(
                try readWALID(),
                ServiceDetails(
                    name: try readWALString(), description: try readWALString(),
                    groupID: try readWALOptional { try $0.readWALID() }, position: try readWALInt()))
        case 12: return .serviceStatusChanged(try readWALID(), to: try readWALEnum(), reason: try readWALReason())
        case 13: return .serviceDeleted(try readWALID())
        case 20: return .groupCreated(try readWALGroup())
        case 21:
            return .groupUpdated(
                try readWALID(),
                GroupDetails(name: try readWALString(), description: try readWALString(), position: try readWALInt()))
        case 22: return .groupDeleted(try readWALID())
        case 30: return .incidentCreated(try readWALIncident())
        case 31: return .incidentEdited(try readWALID(), name: try readWALString(), impact: try readWALEnum())
        case 32:
            return .incidentUpdatePosted(
                try readWALID(), try readWALIncidentUpdate(),
                affected: try readWALOptional { try $0.readWALArray { try $0.readWALAffected() } })
        case 6: return .customDomainVerified(try readWALString())
        case 33: return .incidentDeleted(try readWALID())
        case 34: return .incidentUpdateEdited(try readWALID(), try readWALID(), body: try readWALString())
        case 40: return .maintenanceScheduled(try readWALMaintenance())
        case 41: return .maintenanceEdited(try readWALID(), try readWALMaintenanceDetails())
        case 42: return .maintenanceStatusChanged(try readWALID(), try readWALMaintenanceUpdate())
        case 43: return .maintenanceDeleted(try readWALID())
        case 44: return .maintenanceUpdateEdited(try readWALID(), try readWALID(), body: try readWALString())
        case 50: return .memberAdded(try readWALMember(), invitation: try readWALOptional { try $0.readWALID() })
        case 51: return .memberRoleChanged(try readWALID(), try readWALEnum())
        case 52: return .memberRemoved(try readWALID(), account: try readWALID())
        case 53: return .invitationCreated(try readWALInvitation())
        case 54: return .invitationRevoked(try readWALID())
        case 55: return .keyCreated(try readWALKey())
        case 56: return .keyRevoked(try readWALID())
        case 60: return .pageStatusChanged(PageStatus(indicator: try readWALEnum(), description: try readWALString()))
        case 61: return .commandKeyed(try readWALCommandKey(), events: try readWALInt())
        default:
            guard let change = try readWALSubscriberChange(tag: tag) else {
                throw CodecError("unknown organization change tag \(tag)")
            }
            return change
        }
    }

    mutating func writeWALCommandKey(_ key: CommandKey) {
        writeWALString(key.key)
        writeWALString(key.fingerprint)
    }

    mutating func readWALCommandKey() throws -> CommandKey {
        CommandKey(unchecked: try readWALString(), fingerprint: try readWALString())
    }
}
