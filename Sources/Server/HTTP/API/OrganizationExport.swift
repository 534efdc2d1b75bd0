package import Engine
package import Foundation
import HashTreeCollections
import Live
package import Wire

/// `GET /api/organizations/{id}/export`: everything an organization owns, archived history included,
/// in the API's own shapes, so that it can be read back by people and scripts. Secrets are never in
/// it: API keys without their hashes, invitations without their token hashes.
package struct OrganizationExport: Encodable {
    package struct MemberBody: Encodable {
        package let id: MemberID
        package let accountID: AccountID
        package let role: Role
        package let joinedAt: Date
    }

    package struct InvitationBody: Encodable {
        package let id: InvitationID
        package let email: String
        package let role: Role
        package let createdAt: Date
        package let expiresAt: Date
    }

    package let formatVersion = 1
    package let exportedAt: Date
    package let organization: OrganizationRoutes.OrganizationBody
    package let services: [Representation.ServiceBody]
    package let groups: [Representation.GroupBody]
    package let incidents: [Representation.IncidentBody]
    package let maintenance: [Representation.MaintenanceBody]
    package let members: [MemberBody]
    package let invitations: [InvitationBody]
    package let apiKeys: [APIKeyBody]

    package init(_ state: OrgState, incidents: [Incident], maintenance: [Maintenance]) {
        exportedAt = WallClock.now()
        organization = OrganizationRoutes.OrganizationBody(state, role: nil)
        services = state.orderedServices.map(Representation.ServiceBody.init)
        groups = state.orderedGroups.map {
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
            APIKeyBody($0)
        }
    }
}
