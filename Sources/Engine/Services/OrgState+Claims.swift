import HashTreeCollections

/// The coupling rules (docs/RULES.md), in one place: when an incident or a maintenance window lets go of a
/// service, the service goes back to what it had before, only if it still holds the status that this
/// owner set; another incident or a manual change since then wins.
///
/// Claims form a chain per service. If incident A set a service and incident B then set it too, B's
/// claim remembers "A's status". When A ends while B holds the service, A restores nothing, and B's
/// claim is re-pointed at what A had replaced, so that B's end later restores the status from before
/// both, never the status of an incident that is already over.
extension OrgState {
    /// The restores that `owner` letting go of `serviceIDs` makes: one status change per service it
    /// still holds, to the status its claim remembers.
    func restores(releasing owner: ClaimOwner, _ serviceIDs: some Sequence<ServiceID>) -> [OrgChange] {
        serviceIDs.compactMap { id in
            guard let claim = claims[ClaimKey(owner: owner, serviceID: id)],
                let service = services[id], service.statusReason == owner.reason
            else { return nil }
            return .serviceStatusChanged(id, to: claim.previousStatus, reason: owner.restoreReason)
        }
    }

    /// Drops `owner`'s claims on `serviceIDs` (after any restore), splicing it out of each chain.
    mutating func releaseClaims(of owner: ClaimOwner, on serviceIDs: some Sequence<ServiceID>) {
        for id in serviceIDs {
            let key = ClaimKey(owner: owner, serviceID: id)
            guard let released = claims[key] else { continue }
            claims[key] = nil
            for (otherKey, other) in claims
            where otherKey.serviceID == id && other.previousReason == owner.reason {
                claims[otherKey] = released
            }
        }
    }
}
