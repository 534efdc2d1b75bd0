package import Engine
import HashTreeCollections
import NIOPosix
package import Persistence

/// An organization's incidents and maintenance windows, wherever they are: in the state in memory,
/// or in the history archive on disk once archived (docs/RULES.md "Memory bounds"). Every route that
/// reads history, in every dialect and on the pages, asks here; the archive's blocks are read here
/// only, on NIO's thread pool, so that a disk read never holds a cooperative thread.
package struct OrgHistory: Sendable {
    package let archive: HistoryArchive

    package init(archive: HistoryArchive) { self.archive = archive }

    /// An incident by id: from memory, or from the archive.
    package func incident(_ id: IncidentID, in state: OrgState) async throws -> Incident? {
        if let current = state.incidents[id] { return current }
        return try await offloaded { [archive] in try archive.incident(id, of: state.id) }
    }

    /// A maintenance window by id: from memory, or from the archive.
    package func maintenance(_ id: MaintenanceID, in state: OrgState) async throws -> Maintenance? {
        if let current = state.maintenance[id] { return current }
        return try await offloaded { [archive] in try archive.maintenance(id, of: state.id) }
    }

    /// A page of incidents, newest first, across memory and the archive: those `matching`, after
    /// `cursor` (the previous page's `next`), at most `limit`.
    package func incidents(
        in state: OrgState, after cursor: HistoryCursor<Incident>? = nil, limit: Int,
        matching: @escaping @Sendable (Incident) -> Bool = { _ in true }
    ) async throws -> HistoryPage<Incident> {
        try await offloaded { [archive] in
            try archive.incidents(
                of: state.id, memory: state.incidents.values, after: cursor, limit: limit, matching: matching)
        }
    }

    /// A page of maintenance windows, newest first, across memory and the archive.
    package func maintenance(
        in state: OrgState, after cursor: HistoryCursor<Maintenance>? = nil, limit: Int,
        matching: @escaping @Sendable (Maintenance) -> Bool = { _ in true }
    ) async throws -> HistoryPage<Maintenance> {
        try await offloaded { [archive] in
            try archive.maintenance(
                of: state.id, memory: state.maintenance.values, after: cursor, limit: limit, matching: matching)
        }
    }

    /// Every incident and every window, newest first (an export, a list with no paging).
    package func everything(in state: OrgState) async throws -> (incidents: [Incident], maintenance: [Maintenance]) {
        try await offloaded { [archive] in
            (
                try archive.incidents(of: state.id, memory: state.incidents.values, after: nil, limit: .max - 1).items,
                try archive.maintenance(of: state.id, memory: state.maintenance.values, after: nil, limit: .max - 1)
                    .items
            )
        }
    }

    private func offloaded<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
