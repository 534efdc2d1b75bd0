import Foundation
import HashTreeCollections

extension OrgState {
    /// Incidents: open, edit, post updates (transitions and affected services), delete.
    func decideIncidentCommand(_ command: OrgCommand, by principal: Principal, at now: Date) throws -> [OrgChange] {
        switch command {
        case .createIncident(let draft):
            return try decideCreateIncident(draft, by: principal, at: now)
        case .editIncident(let id, let name, let impact):
            let incident = try existingIncident(id)
            let newName = try name.map { try Validate.name($0, field: "name") } ?? incident.name
            let newImpact = impact ?? incident.impact
            if newName == incident.name && newImpact == incident.impact { return [] }
            return [.incidentEdited(id, name: newName, impact: newImpact)]
        case .postIncidentUpdate(let id, let status, let body, let affected, _):
            return try decideIncidentUpdate(id, status: status, body: body, affected: affected, by: principal, at: now)
        case .editIncidentUpdate(let id, let update, let body):
            let incident = try existingIncident(id)
            guard let old = incident.updates.first(where: { $0.id == update }) else {
                throw EngineError.notFound("update_id", "update of this incident")
            }
            let text = try Validate.body(body)
            return text == old.body ? [] : [.incidentUpdateEdited(id, update, body: text)]
        case .deleteIncident(let id):
            let incident = try existingIncident(id)
            let owner = ClaimOwner.incident(id)
            return restores(releasing: owner, incident.affected.map(\.serviceID)) + [.incidentDeleted(id)]
        default:
            preconditionFailure("not an incident command: \(command)")
        }
    }

    private func decideCreateIncident(_ draft: IncidentDraft, by principal: Principal, at now: Date) throws
        -> [OrgChange]
    {
        let affected = try checkAffected(draft.affected)
        guard draft.status.isActive || draft.status == .resolved else {
            throw EngineError.invalid("status", "a new incident cannot start in postmortem")
        }
        if draft.status.isActive {
            let active = incidents.values.count { $0.status.isActive }
            guard active < quotas.activeIncidentsMax else {
                throw EngineError(
                    .quotaExceeded, field: "incidents", "at most \(quotas.activeIncidentsMax) active incidents")
            }
        }
        let update = IncidentUpdate(
            id: .random(), status: draft.status, body: try Validate.body(draft.body), author: principal, createdAt: now)
        let incident = Incident(
            id: .random(), name: try Validate.name(draft.name, field: "name"), status: draft.status,
            impact: draft.impact, affected: affected, updates: [update], createdAt: now, updatedAt: now,
            resolvedAt: draft.status.isActive ? nil : now)
        // A backfilled, already resolved incident records what happened but holds no service.
        guard draft.status.isActive else { return [.incidentCreated(incident)] }
        return [.incidentCreated(incident)] + statusChanges(for: affected, owner: .incident(incident.id))
    }

    private func decideIncidentUpdate(
        _ id: IncidentID, status: IncidentStatus?, body: String, affected: [AffectedService]?,
        by principal: Principal, at now: Date
    ) throws -> [OrgChange] {
        let incident = try existingIncident(id)
        let next = status ?? incident.status
        guard incident.status.canMove(to: next) else {
            throw EngineError.conflict(
                "status", "an incident cannot move from \(incident.status.rawValue) to \(next.rawValue)")
        }
        guard incident.updates.count < quotas.updatesPerIncidentMax else {
            throw EngineError(.quotaExceeded, field: "updates", "at most \(quotas.updatesPerIncidentMax) updates")
        }
        let newAffected = try affected.map { try checkAffected($0) }
        if newAffected != nil && !incident.status.isActive {
            throw EngineError.conflict("affected_services", "a resolved incident no longer affects services")
        }
        let update = IncidentUpdate(
            id: .random(), status: next, body: try Validate.body(body), author: principal, createdAt: now)
        let owner = ClaimOwner.incident(id)
        var changes: [OrgChange] = []
        if incident.status.isActive && !next.isActive {
            changes += restores(releasing: owner, incident.affected.map(\.serviceID))
        } else if let newAffected {
            let kept = Set(newAffected.map(\.serviceID))
            changes += restores(releasing: owner, incident.affected.map(\.serviceID).filter { !kept.contains($0) })
            changes += statusChanges(for: newAffected, owner: owner)
        }
        return changes + [.incidentUpdatePosted(id, update, affected: newAffected)]
    }

    /// The status changes an incident or window makes to the services it names with a status, skipping
    /// services already in that status under the same owner.
    func statusChanges(for affected: [AffectedService], owner: ClaimOwner) -> [OrgChange] {
        affected.compactMap { item in
            guard let status = item.status, let service = services[item.serviceID] else { return nil }
            if service.status == status && service.statusReason == owner.reason { return nil }
            return .serviceStatusChanged(item.serviceID, to: status, reason: owner.reason)
        }
    }

    private func checkAffected(_ affected: [AffectedService]) throws -> [AffectedService] {
        var seen = Set<ServiceID>()
        for (index, item) in affected.enumerated() {
            _ = try existingService(item.serviceID, field: "affected_services[\(index)].service_id")
            guard seen.insert(item.serviceID).inserted else {
                throw EngineError.invalid("affected_services[\(index)].service_id", "names a service twice")
            }
        }
        return affected
    }

    func existingIncident(_ id: IncidentID) throws -> Incident {
        guard let incident = incidents[id] else { throw EngineError.notFound("id", "incident") }
        return incident
    }

    mutating func applyIncidentChange(_ change: OrgChange, at: Date) {
        switch change {
        case .incidentCreated(let incident):
            incidents[incident.id] = incident
        case .incidentEdited(let id, let name, let impact):
            incidents[id]?.name = name
            incidents[id]?.impact = impact
            incidents[id]?.updatedAt = at
        case .incidentUpdatePosted(let id, let update, let affected):
            guard var incident = incidents[id] else { return }
            let wasActive = incident.status.isActive
            incident.updates.append(update)
            incident.status = update.status
            incident.updatedAt = at
            if wasActive && !update.status.isActive {
                incident.resolvedAt = at
                releaseClaims(of: .incident(id), on: incident.affected.map(\.serviceID))
            }
            if let affected {
                let kept = Set(affected.map(\.serviceID))
                releaseClaims(of: .incident(id), on: incident.affected.map(\.serviceID).filter { !kept.contains($0) })
                incident.affected = affected
            }
            incidents[id] = incident
        case .incidentUpdateEdited(let id, let update, let body):
            guard var incident = incidents[id], let index = incident.updates.firstIndex(where: { $0.id == update })
            else { return }
            incident.updates[index].body = body
            incident.updatedAt = at
            incidents[id] = incident
        case .incidentDeleted(let id):
            if let incident = incidents[id] {
                releaseClaims(of: .incident(id), on: incident.affected.map(\.serviceID))
            }
            incidents[id] = nil
        default:
            preconditionFailure("not an incident change: \(change)")
        }
    }
}
