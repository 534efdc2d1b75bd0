import Engine
import Foundation
import HashTreeCollections

/// `GET /api/organizations/{id}/export`: everything an organization owns, archived history included,
/// in the API's own shapes, so that it can be read back by people and scripts. Secrets are never in
/// it: API keys without their hashes, invitations without their token hashes.
struct OrganizationExport: Encodable {
    struct MemberBody: Encodable {
        let id: MemberID
        let accountID: AccountID
        let role: Role
        let joinedAt: Date
    }

    struct InvitationBody: Encodable {
        let id: InvitationID
        let email: String
        let role: Role
        let createdAt: Date
        let expiresAt: Date
    }

    let formatVersion = 1
    let exportedAt: Date
    let organization: OrganizationRoutes.OrganizationBody
    let services: [Representation.ServiceBody]
    let groups: [Representation.GroupBody]
    let incidents: [Representation.IncidentBody]
    let maintenance: [Representation.MaintenanceBody]
    let members: [MemberBody]
    let invitations: [InvitationBody]
    let apiKeys: [KeyRoutes.KeyBody]

    init(_ state: OrgState, incidents: [Incident], maintenance: [Maintenance]) {
        exportedAt = WallClock.now()
        organization = OrganizationRoutes.OrganizationBody(state, role: nil)
        services = state.orderedServices.map(Representation.ServiceBody.init)
        groups = state.groups.values.sorted { ($0.position, $0.id) < ($1.position, $1.id) }.map {
            Representation.GroupBody($0, in: state)
        }
        self.incidents = incidents.map { Representation.IncidentBody($0) }
        self.maintenance = maintenance.map { Representation.MaintenanceBody($0) }
        members = state.members.values.sorted { ($0.joinedAt, $0.id) < ($1.joinedAt, $1.id) }.map {
            MemberBody(id: $0.id, accountID: $0.accountID, role: $0.role, joinedAt: $0.joinedAt)
        }
        invitations = state.invitations.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map {
            InvitationBody(id: $0.id, email: $0.email, role: $0.role, createdAt: $0.createdAt, expiresAt: $0.expiresAt)
        }
        apiKeys = state.keys.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map {
            KeyRoutes.KeyBody($0)
        }
    }
}
