import Foundation
import HashTreeCollections

extension OrgState {
    /// Services and groups: create, edit, set status, delete.
    func decideServiceCommand(_ command: OrgCommand, at now: Date) throws -> [OrgChange] {
        switch command {
        case .createService(let name, let description, let status, let groupID, let position):
            try checkGroup(groupID)
            guard services.count < quotas.servicesMax else {
                throw EngineError(.quotaExceeded, field: "services", "at most \(quotas.servicesMax) services")
            }
            let service = Service(
                id: .random(), name: try Validate.name(name, field: "name"),
                description: try Validate.text(description, field: "description"), status: status,
                statusReason: .created, groupID: groupID,
                position: try position.map { try Validate.position($0) } ?? nextServicePosition,
                createdAt: now, updatedAt: now)
            return [.serviceCreated(service)]
        case .updateService(let id, let patch):
            let service = try existingService(id)
            if let groupID = patch.groupID { try checkGroup(groupID) }
            let details = ServiceDetails(
                name: try patch.name.map { try Validate.name($0, field: "name") } ?? service.name,
                description: try patch.description.map { try Validate.text($0, field: "description") }
                    ?? service.description,
                groupID: patch.groupID ?? service.groupID,
                position: try patch.position.map { try Validate.position($0) } ?? service.position)
            return details == service.details ? [] : [.serviceUpdated(id, details)]
        case .setServiceStatus(let id, let status):
            let service = try existingService(id)
            return service.status == status && service.statusReason == .manual
                ? [] : [.serviceStatusChanged(id, to: status, reason: .manual)]
        case .deleteService(let id):
            _ = try existingService(id)
            return [.serviceDeleted(id)]
        default:
            return try decideGroupCommand(command, at: now)
        }
    }

    private func decideGroupCommand(_ command: OrgCommand, at now: Date) throws -> [OrgChange] {
        switch command {
        case .createGroup(let name, let description, let position):
            guard groups.count < quotas.groupsMax else {
                throw EngineError(.quotaExceeded, field: "groups", "at most \(quotas.groupsMax) groups")
            }
            let group = ServiceGroup(
                id: .random(), name: try Validate.name(name, field: "name"),
                description: try Validate.text(description, field: "description"),
                position: try position.map { try Validate.position($0) } ?? (groups.values.map(\.position).max() ?? -1)
                    + 1,
                createdAt: now, updatedAt: now)
            return [.groupCreated(group)]
        case .updateGroup(let id, let patch):
            guard let group = groups[id] else { throw EngineError.notFound("id", "service group") }
            let details = GroupDetails(
                name: try patch.name.map { try Validate.name($0, field: "name") } ?? group.name,
                description: try patch.description.map { try Validate.text($0, field: "description") }
                    ?? group.description,
                position: try patch.position.map { try Validate.position($0) } ?? group.position)
            return [.groupUpdated(id, details)]
        case .deleteGroup(let id):
            guard groups[id] != nil else { throw EngineError.notFound("id", "service group") }
            return [.groupDeleted(id)]
        default:
            preconditionFailure("not a service or group command: \(command)")
        }
    }

    func existingService(_ id: ServiceID, field: String = "id") throws -> Service {
        guard let service = services[id] else { throw EngineError.notFound(field, "service") }
        return service
    }

    private func checkGroup(_ id: GroupID?) throws {
        if let id, groups[id] == nil { throw EngineError.notFound("group_id", "service group") }
    }

    private var nextServicePosition: Int { (services.values.map(\.position).max() ?? -1) + 1 }

    mutating func applyServiceChange(_ change: OrgChange, at: Date, by: Principal) {
        switch change {
        case .serviceCreated(let service):
            services[service.id] = service
            serviceTally.add(service.status)
            statusHistory[service.id] = AppendLog([
                StatusChange(serviceID: service.id, from: nil, to: service.status, at: at, by: by, reason: .created)
            ])
        case .serviceUpdated(let id, let details):
            services[id]?.details = details
            services[id]?.updatedAt = at
        case .serviceStatusChanged(let id, let status, let reason):
            applyStatusChange(id, to: status, reason: reason, at: at, by: by)
        case .serviceDeleted(let id):
            removeService(id)
        case .groupCreated(let group):
            groups[group.id] = group
        case .groupUpdated(let id, let details):
            groups[id]?.name = details.name
            groups[id]?.description = details.description
            groups[id]?.position = details.position
            groups[id]?.updatedAt = at
        case .groupDeleted(let id):
            groups[id] = nil
            for service in services.values where service.groupID == id {
                services[service.id]?.groupID = nil
            }
        default:
            preconditionFailure("not a service change: \(change)")
        }
    }

    /// Records a status change in the service and its history, and keeps the claims of the coupling
    /// rules: the first time an incident or window sets a service, it remembers what it replaced.
    mutating func applyStatusChange(
        _ id: ServiceID, to status: ServiceStatus, reason: StatusReason, at: Date, by: Principal
    ) {
        // One lookup and one store: every separate write into a map the published view still
        // shares would path-copy it again.
        guard var service = services[id] else { return }
        let previous = service.status
        if let owner = reason.claimOwner, service.statusReason != reason {
            // The owner takes the service from its current holder: it goes on top of the chain.
            // A claim it kept from an earlier hold is stale (someone took the service since), so it
            // is spliced out first; that keeps the chain free of cycles.
            releaseClaims(of: owner, on: [id])
            claims[ClaimKey(owner: owner, serviceID: id)] = StatusClaim(
                previousStatus: service.status, previousReason: service.statusReason)
        }
        // A restore hands the status back to whoever held it before the claim (a person, or an
        // incident still active), so that holder can restore it in turn; the history keeps the
        // restore as the reason.
        var holder = reason
        if let restoredOwner = reason.restoredOwner {
            holder = claims[ClaimKey(owner: restoredOwner, serviceID: id)]?.previousReason ?? .manual
            releaseClaims(of: restoredOwner, on: [id])
        }
        service.status = status
        service.statusReason = holder
        service.updatedAt = at
        services[id] = service
        serviceTally.remove(previous)
        serviceTally.add(status)
        statusHistory[id, default: AppendLog()].append(
            StatusChange(serviceID: id, from: previous, to: status, at: at, by: by, reason: reason))
    }

    private mutating func removeService(_ id: ServiceID) {
        if let status = services[id]?.status { serviceTally.remove(status) }
        services[id] = nil
        statusHistory[id] = nil
        dailyUptime[id] = nil
        for key in claims.keys where key.serviceID == id { claims[key] = nil }
        for incident in incidents.values where incident.affected.contains(where: { $0.serviceID == id }) {
            incidents[incident.id]?.affected.removeAll { $0.serviceID == id }
        }
        for window in maintenance.values where window.affected.contains(id) {
            maintenance[window.id]?.affected.removeAll { $0 == id }
        }
    }
}

extension Service {
    /// The editable fields, as one value.
    var details: ServiceDetails {
        get { ServiceDetails(name: name, description: description, groupID: groupID, position: position) }
        set {
            name = newValue.name
            description = newValue.description
            groupID = newValue.groupID
            position = newValue.position
        }
    }
}

extension StatusReason {
    /// The incident or window that takes a claim by setting this status.
    var claimOwner: ClaimOwner? {
        switch self {
        case .incident(let id): .incident(id)
        case .maintenance(let id): .maintenance(id)
        default: nil
        }
    }

    /// The incident or window whose claim a restore ends.
    var restoredOwner: ClaimOwner? {
        switch self {
        case .restoredAfterIncident(let id): .incident(id)
        case .restoredAfterMaintenance(let id): .maintenance(id)
        default: nil
        }
    }
}
