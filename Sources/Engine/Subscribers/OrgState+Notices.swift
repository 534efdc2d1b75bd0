import Foundation
import HashTreeCollections

extension OrgState {
    /// The `noticeRequested` changes a command's `changes` call for (Statuspage's rules): an incident
    /// opened or updated, a window scheduled or moved, when the write asks to notify (by default when it
    /// names services); every service status change, for webhook subscribers. Nothing when no subscriber
    /// is active, and never for imported records.
    func notices(asked command: OrgCommand, changes: [OrgChange]) -> [OrgChange] {
        guard activeSubscribers.total > 0 else { return [] }
        if case .importRecord = command { return [] }
        var subjects: [NoticeSubject] = []
        var statuses: [ServiceID: ServiceStatus] = [:]
        for change in changes {
            switch change {
            case .incidentCreated(let incident):
                if case .createIncident(let draft) = command,
                    draft.notify ?? (incident.status.isActive && !incident.affected.isEmpty),
                    let update = incident.updates.last
                {
                    subjects.append(.incident(incident.id, update.id))
                }
            case .incidentUpdatePosted(let id, let update, let affected):
                if case .postIncidentUpdate(_, _, _, _, let notify) = command,
                    notify ?? !(affected ?? incidents[id]?.affected ?? []).isEmpty
                {
                    subjects.append(.incident(id, update.id))
                }
            case .maintenanceScheduled(let window):
                if case .scheduleMaintenance(_, let notify) = command, notify ?? !window.affected.isEmpty {
                    subjects.append(.maintenance(window.id, nil))
                }
            case .maintenanceStatusChanged(let id, let update):
                let named = !(maintenance[id]?.affected ?? []).isEmpty
                switch command {
                case .setMaintenanceStatus(_, _, _, let notify):
                    if notify ?? named { subjects.append(.maintenance(id, update.id)) }
                case .advanceMaintenance:
                    if named { subjects.append(.maintenance(id, update.id)) }
                default: break
                }
            case .serviceStatusChanged(let id, let status, _):
                let from = statuses[id] ?? services[id]?.status
                statuses[id] = status
                if activeSubscribers[.webhook] > 0, let from, from != status {
                    subjects.append(.component(id, from: from, to: status))
                }
            default: break
            }
        }
        return subjects.map { .noticeRequested($0) }
    }

    /// The subscribers `notice` goes to, in id order (the order the deliverer walks and records its
    /// progress in): active, confirmed by the time of the notice, following one of the services it is
    /// about (or the incident, for an incident subscriber), on a channel that carries this kind of notice.
    public func recipients(of notice: PendingNotice) -> [Subscriber] {
        if case .subscription(let id, let mail) = notice.subject {
            guard let subscriber = subscribers[id] else { return [] }
            let due =
                switch mail {
                case .confirm: subscriber.state == .unconfirmed && subscriber.channel == .email
                case .manage: subscriber.state != .unconfirmed && subscriber.channel == .email
                case .quarantined: subscriber.state == .quarantined && subscriber.contactEmail != nil
                }
            return due ? [subscriber] : []
        }
        if case .maintenanceReminder(let id) = notice.subject,
            maintenance[id].map({ $0.status != .scheduled || $0.scheduledStart <= notice.at }) ?? true
        {
            return []  // started, cancelled or gone: nothing to remind of
        }
        guard let reach = reach(of: notice.subject) else { return [] }
        return subscribers.values.filter { subscriber in
            subscriber.state == .active && (subscriber.confirmedAt ?? .distantFuture) <= notice.at
                && reach.channels(subscriber.channel)
                && (subscriber.incident == nil || subscriber.incident == reach.incident)
                && subscriber.follows(reach.services)
        }.sorted { $0.id < $1.id }
    }

    /// Who a notice can reach: the services it is about, the incident it belongs to, and which channels
    /// carry it (SMS only for an opening, a resolution and a window's start, as Statuspage sends them;
    /// component changes only to webhooks). Nil when what it is about is gone (deleted).
    private func reach(of subject: NoticeSubject) -> NoticeReach? {
        switch subject {
        case .incident(let id, let updateID):
            guard let incident = incidents[id] else { return nil }
            let update = incident.updates.first { $0.id == updateID }
            let texted = incident.updates.first?.id == updateID || update?.status == .resolved
            return NoticeReach(
                services: incident.affected.map(\.serviceID), incident: id,
                channels: { $0 != .sms || texted })
        case .maintenance(let id, let updateID):
            guard let window = maintenance[id] else { return nil }
            let status = updateID.flatMap { updateID in window.updates.first { $0.id == updateID }?.status }
            let texted = status == nil || status == .inProgress || status == .completed
            return NoticeReach(services: window.affected, incident: nil, channels: { $0 != .sms || texted })
        case .maintenanceReminder(let id):
            guard let window = maintenance[id] else { return nil }
            return NoticeReach(services: window.affected, incident: nil, channels: { $0 != .sms })
        case .component(let id, _, _):
            return NoticeReach(services: [id], incident: nil, channels: { $0 == .webhook })
        case .subscription:
            return nil  // one subscriber, chosen in `recipients(of:)`
        }
    }
}

/// What a notice is about, for choosing its recipients.
private struct NoticeReach {
    let services: [ServiceID]
    /// The incident, for subscribers who follow one; nil matches none of them.
    let incident: IncidentID?
    let channels: (SubscriberChannel) -> Bool
}
