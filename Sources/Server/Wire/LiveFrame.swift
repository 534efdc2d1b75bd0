package import Engine
package import Foundation
import HashTreeCollections

/// The live frames (docs/RULES.md "Live frames"), made from a durable event and the view it belongs to:
/// `{"type", "org", "seq", "prev", "at", "data"}`, `data` being the representation of what changed as
/// the view holds it. Public frames never carry an author, a key or an email; private ones never a
/// secret (a key's token, an invitation's link).
package enum LiveFrame {
    /// The frame type and data of one event for `audience`, or nil for events it does not see.
    package static func content(
        of event: OrgEvent, in state: OrgState, for audience: LiveAudience
    ) -> (type: String, data: any Encodable)? {
        if event.change.isPublic { return publicContent(of: event, in: state) }
        switch event.change {
        case .memberAdded(let member, _) where audience >= .members:
            return ("member_added", MemberData(member))
        case .memberRoleChanged(let id, _) where audience >= .members:
            return state.members[id].map { ("member_update", MemberData($0)) }
        case .memberRemoved(let id, _) where audience >= .members:
            return ("member_removed", Deleted(id: id.rawValue))
        case .invitationCreated(let invitation) where audience >= .admins:
            return (
                "invitation_created",
                InvitationData(
                    id: invitation.id.rawValue, email: invitation.email, role: invitation.role,
                    expiresAt: invitation.expiresAt)
            )
        case .invitationRevoked(let id) where audience >= .admins:
            return ("invitation_revoked", Deleted(id: id.rawValue))
        case .keyCreated(let key) where audience >= .admins:
            return ("key_created", APIKeyBody(key))
        case .keyRevoked(let id) where audience >= .admins:
            return ("key_revoked", Deleted(id: id.rawValue))
        default:
            return nil
        }
    }

    /// The frame type and data of one public event, or nil for events the public feed does not show
    /// (private ones, history housekeeping, the organization's deletion).
    private static func publicContent(of event: OrgEvent, in state: OrgState) -> (type: String, data: any Encodable)? {
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
        case .incidentEdited(let id, _, _), .incidentUpdateEdited(let id, _, _):
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
        case .maintenanceEdited(let id, _), .maintenanceStatusChanged(let id, _),
            .maintenanceUpdateEdited(let id, _, _):
            return state.maintenance[id].map {
                ("maintenance_update", Representation.MaintenanceBody($0, authors: false))
            }
        case .maintenanceDeleted(let id):
            return ("maintenance_deleted", Deleted(id: id.rawValue))
        case .pageStatusChanged(let status):
            return ("status_update", status)
        case .organizationDeleted, .customDomainVerified, .historyCompacted, .historyArchived, .memberAdded,
            .memberRoleChanged, .memberRemoved, .invitationCreated, .invitationRevoked, .keyCreated, .keyRevoked,
            .commandKeyed, .subscriberAdded, .subscriberConfirmed, .subscriberComponentsChanged,
            .subscriberQuarantined, .subscriberReactivated, .subscriberRemoved, .subscriptionSettingsChanged,
            .noticeRequested, .noticesCompleted:
            return nil
        }
    }

    /// One frame's JSON bytes.
    package static func encode(type: String, org: String, seq: Seq, prev: Seq?, at: Date, data: any Encodable) throws
        -> Data
    {
        try PublicSummary.makeEncoder().encode(
            Envelope(type: type, org: org, seq: seq.rawValue, prev: prev?.rawValue, at: at, data: AnyEncodable(data)))
    }

    /// A control frame: `hello`, `subscribed`, `unsubscribed`, `resync`, `pong`, `error`.
    package struct Control: Encodable {
        package var type: String
        package var org: String?
        package var seq: Seq?
        /// On `hello` and `subscribed` of an authenticated feed: `members` or `admins`.
        package var feed: String?
        /// On `error`: a stable word, then a sentence.
        package var code: String?
        package var message: String?

        package func encoded() throws -> Data { try PublicSummary.makeEncoder().encode(self) }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(type, forKey: InputKey("type"))
            try container.encodeIfPresent(org, forKey: InputKey("org"))
            try container.encodeIfPresent(seq?.rawValue, forKey: InputKey("seq"))
            try container.encodeIfPresent(feed, forKey: InputKey("feed"))
            try container.encodeIfPresent(code, forKey: InputKey("code"))
            try container.encodeIfPresent(message, forKey: InputKey("message"))
        }

        package init(
            type: String, org: String? = nil, seq: Seq? = nil, feed: String? = nil, code: String? = nil,
            message: String? = nil
        ) {
            self.type = type
            self.org = org
            self.seq = seq
            self.feed = feed
            self.code = code
            self.message = message
        }
    }

    private struct Envelope: Encodable {
        package let type: String
        package let org: String
        package let seq: UInt64
        /// The seq of the previous frame of this feed; null on an organization's first.
        package let prev: UInt64?
        package let at: Date
        package let data: AnyEncodable

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: InputKey.self)
            try container.encode(type, forKey: InputKey("type"))
            try container.encode(org, forKey: InputKey("org"))
            try container.encode(seq, forKey: InputKey("seq"))
            try container.encode(prev, forKey: InputKey("prev"))
            try container.encode(at, forKey: InputKey("at"))
            try container.encode(data, forKey: InputKey("data"))
        }
    }

    private struct Deleted: Encodable {
        package let id: String
    }

    /// A member as the team list shows it, less the account's email and name (the directory's, not
    /// the organization's event).
    private struct MemberData: Encodable {
        package let id: String
        package let accountID: String
        package let role: Role
        package let joinedAt: Date

        package init(_ member: Member) {
            id = member.id.rawValue
            accountID = member.accountID.rawValue
            role = member.role
            joinedAt = member.joinedAt
        }
    }

    /// An invitation without its token: the link is the invitee's credential.
    private struct InvitationData: Encodable {
        package let id: String
        package let email: String
        package let role: Role
        package let expiresAt: Date
    }

    private struct AnyEncodable: Encodable {
        package let value: any Encodable
        package init(_ value: any Encodable) { self.value = value }
        package func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    }
}

/// Who a feed is for; each sees everything the one before it does.
package enum LiveAudience: Int, Sendable, Comparable {
    /// Anyone: the public events.
    case everyone
    /// Members of the organization: also members joining, changing role and leaving.
    case members
    /// Its admins and owners (and admin keys): also invitations and API keys (never a secret).
    case admins

    /// The feed for a credential holding `role` in the organization: the admins' feed to whom the
    /// engine's table lets read the keys and run the team (`OrgAccess`).
    package init(role: Role) {
        self = OrgAccess.readKeys.allows(role) && OrgAccess.runTeam.allows(role) ? .admins : .members
    }

    package static func < (lhs: LiveAudience, rhs: LiveAudience) -> Bool { lhs.rawValue < rhs.rawValue }
}
