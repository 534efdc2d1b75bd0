import Foundation
import HashTreeCollections

extension OrgState {
    /// An imported record becomes the events our own commands would have made, with the source's ids
    /// and times; a record already here with the same content makes none, one that differs replaces
    /// or updates it (`ImportedRecord`).
    func decideImport(_ record: ImportedRecord, by principal: Principal, at now: Date) throws -> [OrgChange] {
        switch record {
        case .group(let id, let name, let description, let position, let createdAt):
            let details = GroupDetails(
                name: try Validate.name(name, field: "name"),
                description: try Validate.text(description, field: "description"),
                position: position)
            guard let current = groups[id] else {
                guard groups.count < quotas.groupsMax else {
                    throw EngineError(.quotaExceeded, field: "groups", "at most \(quotas.groupsMax) groups")
                }
                return [
                    .groupCreated(
                        ServiceGroup(
                            id: id, name: details.name, description: details.description, position: position,
                            createdAt: try Self.time(createdAt), updatedAt: now))
                ]
            }
            let same =
                current.name == details.name && current.description == details.description
                && current.position == position
            return same ? [] : [.groupUpdated(id, details)]
        case .service(let id, let name, let description, let status, let groupID, let position, let createdAt):
            if let groupID, groups[groupID] == nil { throw EngineError.notFound("group_id", "group") }
            let details = ServiceDetails(
                name: try Validate.name(name, field: "name"),
                description: try Validate.text(description, field: "description"),
                groupID: groupID, position: position)
            guard let current = services[id] else {
                guard services.count < quotas.servicesMax else {
                    throw EngineError(.quotaExceeded, field: "services", "at most \(quotas.servicesMax) services")
                }
                return [
                    .serviceCreated(
                        Service(
                            id: id, name: details.name, description: details.description, status: status,
                            statusReason: .created, groupID: groupID, position: position,
                            createdAt: try Self.time(createdAt), updatedAt: now))
                ]
            }
            var changes: [OrgChange] = []
            if current.details != details { changes.append(.serviceUpdated(id, details)) }
            if current.status != status { changes.append(.serviceStatusChanged(id, to: status, reason: .manual)) }
            return changes
        case .incident(
            let id, let name, let status, let impact, let affected, let updates, let createdAt, let resolvedAt):
            let incident = Incident(
                id: id, name: try Validate.name(name, field: "name"), status: status, impact: impact,
                affected: affected.filter { services[$0] != nil }.map { AffectedService(serviceID: $0, status: nil) },
                updates: try updates.map {
                    IncidentUpdate(
                        id: $0.id, status: $0.status, body: try Validate.body($0.body), author: principal,
                        createdAt: try Self.time($0.createdAt))
                },
                createdAt: try Self.time(createdAt), updatedAt: try Self.time(updates.last?.createdAt ?? createdAt),
                resolvedAt: try resolvedAt.map(Self.time))
            guard incident.updates.count <= quotas.updatesPerIncidentMax else {
                throw EngineError(.quotaExceeded, field: "updates", "at most \(quotas.updatesPerIncidentMax) updates")
            }
            guard let current = incidents[id] else { return [.incidentCreated(incident)] }
            return Self.sameImport(current, incident) ? [] : [.incidentDeleted(id), .incidentCreated(incident)]
        case .maintenance(
            let id, let name, let description, let status, let start, let end, let affected, let autoStart,
            let autoComplete, let updates, let createdAt):
            try Validate.scheduled(start, field: "scheduled_start")
            try Validate.scheduled(end, field: "scheduled_end")
            guard end > start else { throw EngineError.invalid("scheduled_end", "must be after scheduled_start") }
            let window = Maintenance(
                id: id, name: try Validate.name(name, field: "name"),
                description: try Validate.text(description, field: "description"), scheduledStart: start,
                scheduledEnd: end, status: status, affected: affected.filter { services[$0] != nil },
                autoStart: autoStart, autoComplete: autoComplete,
                updates: try updates.map {
                    MaintenanceUpdate(
                        id: $0.id, status: $0.status, body: try Validate.body($0.body), author: principal,
                        createdAt: try Self.time($0.createdAt))
                },
                createdAt: try Self.time(createdAt), updatedAt: try Self.time(updates.last?.createdAt ?? createdAt))
            guard let current = maintenance[id] else { return [.maintenanceScheduled(window)] }
            return Self.sameImport(current, window) ? [] : [.maintenanceDeleted(id), .maintenanceScheduled(window)]
        case .subscriber(
            let id, let channel, let address, let contactEmail, let components, let state, let createdAt,
            let quarantinedAt):
            let subscriber = try importedSubscriber(
                id: id, channel: channel, address: address, contactEmail: contactEmail, components: components,
                state: state, createdAt: createdAt, quarantinedAt: quarantinedAt, at: now)
            if let current = subscribers[id] {
                return current == subscriber ? [] : [.subscriberRemoved(id), .subscriberAdded(subscriber)]
            }
            // The address already subscribed here (through this page's own form, say): it stays as it is.
            if subscriberKeys[subscriber.addressKey] != nil { return [] }
            guard subscribers.count < SubscriberPolicy.subscribersMax else {
                throw EngineError(
                    .quotaExceeded, field: "subscribers", "at most \(SubscriberPolicy.subscribersMax) subscribers")
            }
            return [.subscriberAdded(subscriber)]
        }
    }

    /// An imported subscriber as our own would be: its address checked as its channel reads it, its
    /// components those imported, confirmed and quarantined at the source's times.
    private func importedSubscriber(
        id: SubscriberID, channel: SubscriberChannel, address: String, contactEmail: String?, components: [ServiceID],
        state: SubscriberState, createdAt: Date, quarantinedAt: Date?, at now: Date
    ) throws -> Subscriber {
        let contact = try contactEmail.map { try Validate.email($0, field: "contact_email") }
        if channel == .webhook && contact == nil {
            throw EngineError.invalid("contact_email", "a webhook needs an email address to tell when it fails")
        }
        let created = try Self.time(createdAt)
        let quarantined = state == .quarantined ? try Self.time(quarantinedAt ?? now) : nil
        return Subscriber(
            id: id, channel: channel, address: try Self.checkedAddress(address, channel: channel),
            contactEmail: contact, components: Set(components.filter { services[$0] != nil }).sorted(), incident: nil,
            state: state, signingSecret: nil, createdAt: created, confirmedAt: state == .unconfirmed ? nil : created,
            quarantinedAt: quarantined,
            quarantineReason: quarantined == nil ? nil : "quarantined where it was imported from")
    }

    /// Whether a record already here is the one being imported again: the same except for the
    /// principal that imported it.
    private static func sameImport(_ current: Incident, _ next: Incident) -> Bool {
        current.name == next.name && current.status == next.status && current.impact == next.impact
            && current.affected == next.affected && current.createdAt == next.createdAt
            && current.resolvedAt == next.resolvedAt
            && current.updates.map { [$0.id.rawValue, $0.status.rawValue, $0.body] }
                == next.updates.map { [$0.id.rawValue, $0.status.rawValue, $0.body] }
            && current.updates.map(\.createdAt) == next.updates.map(\.createdAt)
    }

    private static func sameImport(_ current: Maintenance, _ next: Maintenance) -> Bool {
        current.name == next.name && current.description == next.description
            && current.scheduledStart == next.scheduledStart && current.scheduledEnd == next.scheduledEnd
            && current.status == next.status && current.affected == next.affected
            && current.autoStart == next.autoStart && current.autoComplete == next.autoComplete
            && current.updates.map { [$0.id.rawValue, $0.status.rawValue, $0.body] }
                == next.updates.map { [$0.id.rawValue, $0.status.rawValue, $0.body] }
            && current.updates.map(\.createdAt) == next.updates.map(\.createdAt)
    }

    /// A source time, within the range the log's codec keeps.
    private static func time(_ date: Date) throws -> Date {
        try Validate.scheduled(date, field: "created_at")
        return date
    }
}
