public import Foundation  // Date is part of the public API.
import HashTreeCollections

/// Closed incidents and maintenance windows old enough to leave memory for the on-disk history
/// archive: the same window as raw status changes.
public struct ArchivableHistory: Sendable {
    public let incidents: [Incident]
    public let maintenance: [Maintenance]

    public var isEmpty: Bool { incidents.isEmpty && maintenance.isEmpty }
}

extension OrgState {
    /// Resolved incidents and completed or cancelled maintenance that closed before the start of the
    /// raw window (`HistoryPolicy.rawWindowDays` days before today, in the organization's zone).
    /// Nothing still open is ever archived: it could change again; nor anything a pending notification
    /// is about, which the deliverer renders from memory.
    public func archivableHistory(at now: Date) -> ArchivableHistory {
        let cutoff = historyCutoff(at: now)
        var noticed = Set<IncidentID>()
        var noticedWindows = Set<MaintenanceID>()
        for notice in pendingNotices.values {
            switch notice.subject {
            case .incident(let id, _): noticed.insert(id)
            case .maintenance(let id, _), .maintenanceReminder(let id): noticedWindows.insert(id)
            case .component, .subscription: break
            }
        }
        return ArchivableHistory(
            incidents: incidents.values.filter {
                ($0.resolvedAt ?? .distantFuture) < cutoff && !noticed.contains($0.id)
            },
            maintenance: maintenance.values.filter {
                $0.status.isFinal && $0.updatedAt < cutoff && !noticedWindows.contains($0.id)
            })
    }

    /// The archiver's command, after it made the items durable in the archive: forget them here.
    /// Ids that are gone or were reopened meanwhile are skipped, so nothing open ever leaves memory.
    func decideArchiving(incidents ids: [IncidentID], maintenance windows: [MaintenanceID]) -> [OrgChange] {
        let incidentIDs = ids.filter { incidents[$0]?.resolvedAt != nil }
        let maintenanceIDs = windows.filter { maintenance[$0]?.status.isFinal == true }
        guard !incidentIDs.isEmpty || !maintenanceIDs.isEmpty else { return [] }
        return [.historyArchived(incidents: incidentIDs, maintenance: maintenanceIDs)]
    }

    mutating func forgetArchived(incidents ids: [IncidentID], maintenance windows: [MaintenanceID]) {
        for id in ids { incidents[id] = nil }
        for id in windows {
            maintenance[id] = nil
            remindedWindows[id] = nil
        }
    }
}
