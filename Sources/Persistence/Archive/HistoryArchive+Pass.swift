public import Engine
public import Foundation  // Date is part of the public API.
import Logging

extension HistoryArchive {
    /// The archiving pass the server runs hourly: for every organization with closed incidents or
    /// maintenance older than the raw window, write them to the archive (on a dedicated thread, all
    /// organizations in one go), then log their removal from memory.
    ///
    /// An organization whose append fails keeps its items in memory and is tried again next pass;
    /// one whose removal fails has them in both places until then, and reads drop the repeats.
    /// - Returns: how many organizations moved items to the archive.
    /// Where a cluster keeps the blocks every node copies (`SharedArchive` on PostgreSQL): called with
    /// an organization's new blocks before they are appended here and before the items leave memory.
    public typealias Sharing = @Sendable (OrgID, [[UInt8]]) async throws -> Void

    /// - Parameter share: in cluster mode, stores the blocks where every node finds them first; an
    ///   organization whose blocks cannot be stored keeps its items in memory until the next pass.
    @discardableResult
    public func archiveDue(in registry: Registry, now: Date, sharing share: Sharing? = nil) async -> Int {
        removeDeleted(keeping: registry)
        let due = registry.all.compactMap { actor -> (OrgActor, ArchivableHistory)? in
            let history = actor.view.state.archivableHistory(at: now)
            return history.isEmpty ? nil : (actor, history)
        }
        guard !due.isEmpty else { return 0 }
        let encoded =
            (try? await onDedicatedThread { [due] in
                due.compactMap { actor, history -> (OrgActor, ArchivableHistory, [[UInt8]])? in
                    do {
                        return (actor, history, try Self.blocks(of: history))
                    } catch {
                        self.logFailure("archive: encoding failed; the items stay in memory", actor.id, error)
                        return nil
                    }
                }
            }) ?? []
        var shared: [(OrgActor, ArchivableHistory, [[UInt8]])] = []
        for (actor, history, blocks) in encoded {
            do {
                try await share?(actor.id, blocks)
                shared.append((actor, history, blocks))
            } catch {
                logFailure(
                    "archive: the cluster's archive did not take the blocks; the items stay in memory", actor.id, error)
            }
        }
        let written =
            (try? await onDedicatedThread { [shared] in
                shared.compactMap { actor, history, blocks -> (OrgActor, ArchivableHistory)? in
                    do {
                        try self.append(blocks: blocks, of: actor.id)
                        return (actor, history)
                    } catch {
                        self.logFailure("archive: append failed; the items stay in memory", actor.id, error)
                        return nil
                    }
                }
            }) ?? []
        var moved = 0
        for (actor, history) in written {
            let command = OrgCommand.archiveHistory(
                incidents: history.incidents.map(\.id), maintenance: history.maintenance.map(\.id))
            if let commit = try? await registry.submit(command, to: actor, by: .system), !commit.events.isEmpty {
                moved += 1
            }
        }
        return moved
    }

    /// Deletes the archives of organizations that no longer exist (deleted since the last pass).
    private func removeDeleted(keeping registry: Registry) {
        do {
            for org in try organizations() where registry.organization(id: org) == nil { try remove(org) }
        } catch {
            logFailure("archive: removing a deleted organization's archive failed", nil, error)
        }
    }
}
