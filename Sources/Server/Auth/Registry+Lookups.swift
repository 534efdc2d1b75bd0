package import Engine
package import Foundation
import HTTPTypes
import HashTreeCollections
import Wire

/// Lookups the routes share that go through every organization or answer a public 404.
extension Registry {
    /// The open (unexpired) invitation a token names, in whichever organization holds it. It scans
    /// every organization: invitations are looked up rarely (an invitation link, a sign-up).
    package func openInvitation(tokenHash: [UInt8], at now: Date) -> (OrgActor, Invitation)? {
        for organization in all {
            if let invitation = organization.view.state.invitations.values.first(where: {
                constantTimeEqual($0.tokenHash, tokenHash) && $0.expiresAt > now
            }) {
                return (organization, invitation)
            }
        }
        return nil
    }

    /// The view of the status page a public path names; unknown slugs answer 404 as unknown ids do.
    package func publicView(slug: String) throws -> OrgView {
        guard let view = publicViewIfAny(slug: slug) else {
            throw Problem(status: .notFound, detail: "no status page named '\(slug.prefix(64))'")
        }
        return view
    }

    /// The published view of the organization with this slug, if it exists (the handlers below the
    /// router leave an unknown slug to the router's 404).
    package func publicViewIfAny(slug: some StringProtocol) -> OrgView? {
        guard let view = organization(slug: String(slug))?.view, view.state.exists else { return nil }
        return view
    }
}
