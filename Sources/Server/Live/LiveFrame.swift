import Engine
import Foundation
import HashTreeCollections

/// The public live frames of API.md ("Live frames"), made from a durable event and the view it
/// belongs to: `{"type", "org", "seq", "prev", "at", "data"}`, `data` being the public
/// representation of what changed as the view holds it (never an author, a key or an email).
enum LiveFrame {
    /// The frame type and data of one public event, or nil for events the public feed does not show
    /// (private ones, history housekeeping, the organization's deletion).
    static func publicContent(of event: OrgEvent, in state: OrgState) -> (type: String, data: any Encodable)? {
        switch event.change {
        case .organizationCreated, .organizationUpdated:
            return ("organization_update", PublicSummary.Organization(state))
        case .serviceCreated(let service):
            return state.services[service.id].map { ("service_created", Representation.ServiceBody($0)) }
        case .serviceUpdated(let id, _), .serviceStatusChanged(let id, _, _):
            return state.services[id].map { ("service_update", Representation.ServiceBody($0)) }
        case .serviceDeleted(let id):
            return ("service_deleted", Deleted(id: id.rawValue))
        case .groupCreated(let group):
            return state.groups[group.id].map { ("group_created", Representation.GroupBody($0, in: state)) }
        case .groupUpdated(let id, _):
            return state.groups[id].map { ("group_update", Representation.GroupBody($0, in: state)) }
        case .groupDeleted(let id):
            return ("group_deleted", Deleted(id: id.rawValue))
        case .incidentCreated(let incident):
            return state.incidents[incident.id].map {
                ("incident_created", Representation.IncidentBody($0, authors: false))
            }
        case .incidentEdited(let id, _, _):
            return state.incidents[id].map { ("incident_update", Representation.IncidentBody($0, authors: false)) }
        case .incidentUpdatePosted(let id, let update, _):
            let type = update.status == .resolved ? "incident_resolved" : "incident_update"
            return state.incidents[id].map { (type, Representation.IncidentBody($0, authors: false)) }
        case .incidentDeleted(let id):
            return ("incident_deleted", Deleted(id: id.rawValue))
        case .maintenanceScheduled(let window):
            return state.maintenance[window.id].map {
                ("maintenance_created", Representation.MaintenanceBody($0, authors: false))
            }
        case .maintenanceEdited(let id, _), .maintenanceStatusChanged(let id, _):
            return state.maintenance[id].map {
                ("maintenance_update", Representation.MaintenanceBody($0, authors: false))
            }
        case .maintenanceDeleted(let id):
            return ("maintenance_deleted", Deleted(id: id.rawValue))
        case .organizationDeleted, .historyCompacted, .historyArchived, .memberAdded, .memberRoleChanged,
            .memberRemoved, .invitationCreated, .invitationRevoked, .keyCreated, .keyRevoked:
            return nil
        }
    }

    /// One frame's JSON bytes.
    static func encode(type: String, org: String, seq: Seq, prev: Seq?, at: Date, data: any Encodable) throws -> Data {
        try PublicSummary.makeEncoder().encode(
            Envelope(type: type, org: org, seq: seq.rawValue, prev: prev?.rawValue, at: at, data: AnyEncodable(data)))
    }

    /// A control frame (`hello`, `resync`): type, org, seq.
    static func control(_ type: String, org: String, seq: Seq) throws -> Data {
        try PublicSummary.makeEncoder().encode(Control(type: type, org: org, seq: seq.rawValue))
    }

    private struct Envelope: Encodable {
        let type: String
        let org: String
        let seq: UInt64
        /// The seq of the previous frame of this feed; null on an organization's first.
        let prev: UInt64?
        let at: Date
        let data: AnyEncodable

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(type, forKey: InputKey("type"))
            try container.encode(org, forKey: InputKey("org"))
            try container.encode(seq, forKey: InputKey("seq"))
            try container.encode(prev, forKey: InputKey("prev"))
            try container.encode(at, forKey: InputKey("at"))
            try container.encode(data, forKey: InputKey("data"))
        }
    }

    private struct Control: Encodable {
        let type: String
        let org: String
        let seq: UInt64
    }

    private struct Deleted: Encodable {
        let id: String
    }

    private struct AnyEncodable: Encodable {
        let value: any Encodable
        init(_ value: any Encodable) { self.value = value }
        func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    }
}
