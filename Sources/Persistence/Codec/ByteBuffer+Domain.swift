import Engine
import Foundation
import NIOCore

/// Domain values in their byte form (docs/FORMAT.md "Values"). Each `write` has its `read` beside it,
/// field by field in the same order.
extension ByteBuffer {
    mutating func writeWALPrincipal(_ value: Principal) {
        switch value {
        case .system: writeWALInteger(UInt8(0))
        case .account(let id): writeWALInteger(UInt8(1)); writeWALID(id)
        case .apiKey(let id): writeWALInteger(UInt8(2)); writeWALID(id)
        }
    }

    mutating func readWALPrincipal() throws -> Principal {
        switch try readWALInteger(as: UInt8.self) {
        case 0: return .system
        case 1: return .account(try readWALID())
        case 2: return .apiKey(try readWALID())
        case let tag: throw CodecError("unknown principal tag \(tag)")
        }
    }

    mutating func writeWALReason(_ value: StatusReason) {
        switch value {
        case .manual: writeWALInteger(UInt8(0))
        case .incident(let id): writeWALInteger(UInt8(1)); writeWALID(id)
        case .maintenance(let id): writeWALInteger(UInt8(2)); writeWALID(id)
        case .restoredAfterIncident(let id): writeWALInteger(UInt8(3)); writeWALID(id)
        case .restoredAfterMaintenance(let id): writeWALInteger(UInt8(4)); writeWALID(id)
        case .created: writeWALInteger(UInt8(5))
        }
    }

    mutating func readWALReason() throws -> StatusReason {
        switch try readWALInteger(as: UInt8.self) {
        case 0: return .manual
        case 1: return .incident(try readWALID())
        case 2: return .maintenance(try readWALID())
        case 3: return .restoredAfterIncident(try readWALID())
        case 4: return .restoredAfterMaintenance(try readWALID())
        case 5: return .created
        case let tag: throw CodecError("unknown status reason tag \(tag)")
        }
    }

    mutating func writeWALSettings(_ value: OrgSettings) {
        writeWALString(value.slug)
        writeWALString(value.name)
        writeWALString(value.timeZone)
        writeWALOptional(value.branding.logoURL) { $0.writeWALString($1) }
        writeWALOptional(value.branding.accentColor) { $0.writeWALString($1) }
        writeWALOptional(value.customDomain) { $0.writeWALString($1) }
    }

    mutating func readWALSettings() throws -> OrgSettings {
        let slug = try readWALString()
        let name = try readWALString()
        let timeZone = try readWALString()
        let logo = try readWALOptional { try $0.readWALString() }
        let accent = try readWALOptional { try $0.readWALString() }
        let domain = try readWALOptional { try $0.readWALString() }
        return OrgSettings(
            slug: slug, name: name, timeZone: timeZone, branding: Branding(logoURL: logo, accentColor: accent),
            customDomain: domain)
    }

    mutating func writeWALService(_ value: Service) {
        writeWALID(value.id)
        writeWALString(value.name)
        writeWALString(value.description)
        writeWALEnum(value.status)
        writeWALReason(value.statusReason)
        writeWALOptional(value.groupID) { $0.writeWALID($1) }
        writeWALInt(value.position)
        writeWALDate(value.createdAt)
        writeWALDate(value.updatedAt)
    }

    mutating func readWALService() throws -> Service {
        Service(
            id: try readWALID(), name: try readWALString(), description: try readWALString(), status: try readWALEnum(),
            statusReason: try readWALReason(), groupID: try readWALOptional { try $0.readWALID() },
            position: try readWALInt(), createdAt: try readWALDate(), updatedAt: try readWALDate())
    }

    mutating func writeWALGroup(_ value: ServiceGroup) {
        writeWALID(value.id)
        writeWALString(value.name)
        writeWALString(value.description)
        writeWALInt(value.position)
        writeWALDate(value.createdAt)
        writeWALDate(value.updatedAt)
    }

    mutating func readWALGroup() throws -> ServiceGroup {
        ServiceGroup(
            id: try readWALID(), name: try readWALString(), description: try readWALString(),
            position: try readWALInt(),
            createdAt: try readWALDate(), updatedAt: try readWALDate())
    }

    mutating func writeWALAffected(_ value: AffectedService) {
        writeWALID(value.serviceID)
        writeWALOptional(value.status) { $0.writeWALEnum($1) }
    }

    mutating func readWALAffected() throws -> AffectedService {
        AffectedService(serviceID: try readWALID(), status: try readWALOptional { try $0.readWALEnum() })
    }

    mutating func writeWALIncidentUpdate(_ value: IncidentUpdate) {
        writeWALID(value.id)
        writeWALEnum(value.status)
        writeWALString(value.body)
        writeWALPrincipal(value.author)
        writeWALDate(value.createdAt)
    }

    mutating func readWALIncidentUpdate() throws -> IncidentUpdate {
        IncidentUpdate(
            id: try readWALID(), status: try readWALEnum(), body: try readWALString(), author: try readWALPrincipal(),
            createdAt: try readWALDate())
    }

    mutating func writeWALIncident(_ value: Incident) {
        writeWALID(value.id)
        writeWALString(value.name)
        writeWALEnum(value.status)
        writeWALEnum(value.impact)
        writeWALArray(value.affected) { $0.writeWALAffected($1) }
        writeWALArray(value.updates) { $0.writeWALIncidentUpdate($1) }
        writeWALDate(value.createdAt)
        writeWALDate(value.updatedAt)
        writeWALOptional(value.resolvedAt) { $0.writeWALDate($1) }
    }

    mutating func readWALIncident() throws -> Incident {
        Incident(
            id: try readWALID(), name: try readWALString(), status: try readWALEnum(), impact: try readWALEnum(),
            affected: try readWALArray { try $0.readWALAffected() },
            updates: try readWALArray { try $0.readWALIncidentUpdate() }, createdAt: try readWALDate(),
            updatedAt: try readWALDate(), resolvedAt: try readWALOptional { try $0.readWALDate() })
    }

    mutating func writeWALMaintenanceUpdate(_ value: MaintenanceUpdate) {
        writeWALID(value.id)
        writeWALEnum(value.status)
        writeWALString(value.body)
        writeWALPrincipal(value.author)
        writeWALDate(value.createdAt)
    }

    mutating func readWALMaintenanceUpdate() throws -> MaintenanceUpdate {
        MaintenanceUpdate(
            id: try readWALID(), status: try readWALEnum(), body: try readWALString(), author: try readWALPrincipal(),
            createdAt: try readWALDate())
    }

    mutating func writeWALMaintenance(_ value: Maintenance) {
        writeWALID(value.id)
        writeWALString(value.name)
        writeWALString(value.description)
        writeWALDate(value.scheduledStart)
        writeWALDate(value.scheduledEnd)
        writeWALEnum(value.status)
        writeWALArray(value.affected) { $0.writeWALID($1) }
        writeWALBool(value.autoStart)
        writeWALBool(value.autoComplete)
        writeWALArray(value.updates) { $0.writeWALMaintenanceUpdate($1) }
        writeWALDate(value.createdAt)
        writeWALDate(value.updatedAt)
    }

    mutating func readWALMaintenance() throws -> Maintenance {
        Maintenance(
            id: try readWALID(), name: try readWALString(), description: try readWALString(),
            scheduledStart: try readWALDate(), scheduledEnd: try readWALDate(), status: try readWALEnum(),
            affected: try readWALArray { try $0.readWALID() }, autoStart: try readWALBool(),
            autoComplete: try readWALBool(),
            updates: try readWALArray { try $0.readWALMaintenanceUpdate() }, createdAt: try readWALDate(),
            updatedAt: try readWALDate())
    }

    mutating func writeWALMaintenanceDetails(_ value: MaintenanceDetails) {
        writeWALString(value.name)
        writeWALString(value.description)
        writeWALDate(value.scheduledStart)
        writeWALDate(value.scheduledEnd)
        writeWALArray(value.affected) { $0.writeWALID($1) }
        writeWALBool(value.autoStart)
        writeWALBool(value.autoComplete)
    }

    mutating func readWALMaintenanceDetails() throws -> MaintenanceDetails {
        MaintenanceDetails(
            name: try readWALString(), description: try readWALString(), scheduledStart: try readWALDate(),
            scheduledEnd: try readWALDate(), affected: try readWALArray { try $0.readWALID() },
            autoStart: try readWALBool(), autoComplete: try readWALBool())
    }

    mutating func writeWALMember(_ value: Member) {
        writeWALID(value.id)
        writeWALID(value.accountID)
        writeWALEnum(value.role)
        writeWALDate(value.joinedAt)
    }

    mutating func readWALMember() throws -> Member {
        Member(id: try readWALID(), accountID: try readWALID(), role: try readWALEnum(), joinedAt: try readWALDate())
    }

    mutating func writeWALInvitation(_ value: Invitation) {
        writeWALID(value.id)
        writeWALString(value.email)
        writeWALEnum(value.role)
        writeWALBytes(value.tokenHash)
        writeWALPrincipal(value.invitedBy)
        writeWALDate(value.createdAt)
        writeWALDate(value.expiresAt)
    }

    mutating func readWALInvitation() throws -> Invitation {
        Invitation(
            id: try readWALID(), email: try readWALString(), role: try readWALEnum(), tokenHash: try readWALBytes(),
            invitedBy: try readWALPrincipal(), createdAt: try readWALDate(), expiresAt: try readWALDate())
    }

    mutating func writeWALKey(_ value: APIKey) {
        writeWALID(value.id)
        writeWALString(value.name)
        writeWALEnum(value.role)
        writeWALBytes(value.secretHash)
        writeWALPrincipal(value.createdBy)
        writeWALDate(value.createdAt)
    }

    mutating func readWALKey() throws -> APIKey {
        APIKey(
            id: try readWALID(), name: try readWALString(), role: try readWALEnum(), secretHash: try readWALBytes(),
            createdBy: try readWALPrincipal(), createdAt: try readWALDate())
    }
}
