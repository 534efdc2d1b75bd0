import Foundation
import HashTreeCollections

extension OrgState {
    /// Maintenance windows: schedule, edit, move through their states by hand or by timer, delete.
    func decideMaintenanceCommand(_ command: OrgCommand, by principal: Principal, at now: Date) throws -> [OrgChange] {
        switch command {
        case .scheduleMaintenance(let draft, _):
            let open = maintenance.values.count { !$0.status.isFinal }
            guard open < quotas.openMaintenanceMax else {
                throw EngineError(
                    .quotaExceeded, field: "maintenance", "at most \(quotas.openMaintenanceMax) open windows")
            }
            let details = try checkDetails(draft)
            let window = Maintenance(
                id: .random(), name: details.name, description: details.description,
                scheduledStart: details.scheduledStart, scheduledEnd: details.scheduledEnd, status: .scheduled,
                affected: details.affected, autoStart: details.autoStart, autoComplete: details.autoComplete,
                updates: [], createdAt: now, updatedAt: now)
            return [.maintenanceScheduled(window)]
        case .editMaintenance(let id, let patch):
            return try decideEdit(try existingMaintenance(id), patch)
        case .setMaintenanceStatus(let id, let status, let body, _):
            let window = try existingMaintenance(id)
            guard window.status.canMove(to: status) else {
                throw EngineError.conflict(
                    "status", "maintenance cannot move from \(window.status.rawValue) to \(status.rawValue)")
            }
            let text = try body.map { try Validate.body($0) } ?? Self.defaultMessage(for: status)
            return transition(window, to: status, body: text, by: principal, at: now)
        case .editMaintenanceUpdate(let id, let update, let body):
            let window = try existingMaintenance(id)
            guard let old = window.updates.first(where: { $0.id == update }) else {
                throw EngineError.notFound("update_id", "update of this maintenance window")
            }
            let text = try Validate.body(body)
            return text == old.body ? [] : [.maintenanceUpdateEdited(id, update, body: text)]
        case .deleteMaintenance(let id):
            let window = try existingMaintenance(id)
            return restores(releasing: .maintenance(id), window.affected) + [.maintenanceDeleted(id)]
        case .advanceMaintenance:
            return dueReminders(at: now) + dueTransitions(at: now)
        default:
            preconditionFailure("not a maintenance command: \(command)")
        }
    }

    /// The transitions the timer makes at `now`: each due start, then each due end. A window whose
    /// whole span passed while statusd was down starts and completes in one go; the steps are decided
    /// against a scratch copy so that the completion sees the services its start took.
    private func dueTransitions(at now: Date) -> [OrgChange] {
        var scratch = self
        var changes: [OrgChange] = []
        for window in maintenance.values.sorted(by: { $0.scheduledStart < $1.scheduledStart }) {
            while let current = scratch.maintenance[window.id], let step = current.dueStep(at: now) {
                let stepChanges = scratch.transition(
                    current, to: step, body: Self.defaultMessage(for: step), by: .system, at: now)
                scratch.applyForDecision(stepChanges, at: now, by: .system)
                changes += stepChanges
            }
        }
        return changes
    }

    /// The changes of moving `window` to `status`: services held or released, then the timeline entry.
    private func transition(
        _ window: Maintenance, to status: MaintenanceStatus, body: String, by principal: Principal, at now: Date
    ) -> [OrgChange] {
        let owner = ClaimOwner.maintenance(window.id)
        var changes: [OrgChange] = []
        if status.isUnderway && !window.status.isUnderway {
            changes += statusChanges(
                for: window.affected.map { AffectedService(serviceID: $0, status: .underMaintenance) }, owner: owner)
        } else if status.isFinal {
            changes += restores(releasing: owner, window.affected)
        }
        let update = MaintenanceUpdate(id: .random(), status: status, body: body, author: principal, createdAt: now)
        return changes + [.maintenanceStatusChanged(window.id, update)]
    }

    private func decideEdit(_ window: Maintenance, _ patch: MaintenancePatch) throws -> [OrgChange] {
        let changesSchedule = patch.scheduledStart != nil || patch.scheduledEnd != nil || patch.affected != nil
        if changesSchedule && window.status != .scheduled {
            throw EngineError.conflict("status", "times and services change only while the window is scheduled")
        }
        let details = try checkDetails(
            MaintenanceDetails(
                name: patch.name ?? window.name, description: patch.description ?? window.description,
                scheduledStart: patch.scheduledStart ?? window.scheduledStart,
                scheduledEnd: patch.scheduledEnd ?? window.scheduledEnd, affected: patch.affected ?? window.affected,
                autoStart: patch.autoStart ?? window.autoStart, autoComplete: patch.autoComplete ?? window.autoComplete)
        )
        return [.maintenanceEdited(window.id, details)]
    }

    private func checkDetails(_ details: MaintenanceDetails) throws -> MaintenanceDetails {
        var checked = details
        checked.name = try Validate.name(details.name, field: "name")
        checked.description = try Validate.text(details.description, field: "description")
        try Validate.scheduled(details.scheduledStart, field: "scheduled_start")
        try Validate.scheduled(details.scheduledEnd, field: "scheduled_end")
        guard details.scheduledEnd > details.scheduledStart else {
            throw EngineError.invalid("scheduled_end", "must be after scheduled_start")
        }
        var seen = Set<ServiceID>()
        for (index, id) in details.affected.enumerated() {
            _ = try existingService(id, field: "affected_services[\(index)]")
            guard seen.insert(id).inserted else {
                throw EngineError.invalid("affected_services[\(index)]", "names a service twice")
            }
        }
        return checked
    }

    private static func defaultMessage(for status: MaintenanceStatus) -> String {
        switch status {
        case .scheduled: "Maintenance scheduled."
        case .inProgress: "Maintenance is in progress."
        case .verifying: "Maintenance work is done; verifying."
        case .completed: "Maintenance has completed."
        case .cancelled: "Maintenance has been cancelled."
        }
    }

    func existingMaintenance(_ id: MaintenanceID) throws -> Maintenance {
        guard let window = maintenance[id] else { throw EngineError.notFound("id", "maintenance") }
        return window
    }

    mutating func applyMaintenanceChange(_ change: OrgChange, at: Date) {
        switch change {
        case .maintenanceScheduled(let window):
            maintenance[window.id] = window
        case .maintenanceEdited(let id, let details):
            guard var window = maintenance[id] else { return }
            window.name = details.name
            window.description = details.description
            window.scheduledStart = details.scheduledStart
            window.scheduledEnd = details.scheduledEnd
            window.affected = details.affected
            window.autoStart = details.autoStart
            window.autoComplete = details.autoComplete
            window.updatedAt = at
            maintenance[id] = window
        case .maintenanceStatusChanged(let id, let update):
            guard var window = maintenance[id] else { return }
            window.status = update.status
            window.updates.append(update)
            window.updatedAt = at
            if update.status.isFinal {
                releaseClaims(of: .maintenance(id), on: window.affected)
            }
            maintenance[id] = window
        case .maintenanceUpdateEdited(let id, let update, let body):
            guard var window = maintenance[id], let index = window.updates.firstIndex(where: { $0.id == update })
            else { return }
            window.updates[index].body = body
            window.updatedAt = at
            maintenance[id] = window
        case .maintenanceDeleted(let id):
            if let window = maintenance[id] { releaseClaims(of: .maintenance(id), on: window.affected) }
            maintenance[id] = nil
            remindedWindows[id] = nil
        default:
            preconditionFailure("not a maintenance change: \(change)")
        }
    }
}
