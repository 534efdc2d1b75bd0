import Dispatch
public import Engine  // Recovery hands back Engine states.
import Foundation
public import Logging  // Callers hand recovery their Logger.
import Synchronization

/// The states rebuilt from the log: every organization and the directory, by `evolve` alone.
///
/// Organization events are checked (seq order, no gaps) as they are read and evolved by `finish()`,
/// one organization per core at a time: organizations are independent streams, and replaying a long
/// log is most of a restart.
public struct RecoveredStates: Sendable {
    /// Every organization's state; read it after `finish()`.
    public var organizations: [OrgID: OrgState] {
        precondition(pending.isEmpty, "RecoveredStates.organizations read before finish()")
        return states
    }
    private var states: [OrgID: OrgState] = [:]
    /// Events checked but not yet evolved, per organization, in seq order.
    private var pending: [OrgID: [OrgEvent]] = [:]
    public internal(set) var directory = DirectoryState()
    /// Records replayed into the states.
    public internal(set) var records = 0
    /// Records read from the log but already in the snapshot.
    public internal(set) var skipped = 0
    /// Where the snapshot recovery started from points the log, if there was one. Only these
    /// figures are kept: holding the capture itself would keep a second copy of every state alive.
    public let snapshot: SnapshotInfo?
    private var snapshotSeqs: [OrgID: Seq] = [:]
    /// Each organization's seq, kept beside the states: reading `organizations[id]?.seq` would copy
    /// the whole state (a retain per field) on every replayed event.
    private var seqs: [OrgID: Seq] = [:]
    /// Organizations deleted before the snapshot whose last events the replay still meets.
    private var deletedBeforeSnapshot: Set<OrgID> = []

    /// States to replay into, starting from `snapshot`'s when there is one.
    public init(snapshot: SnapshotCapture? = nil) {
        self.snapshot = snapshot.map {
            SnapshotInfo(replayFrom: $0.replayFrom, logEnd: $0.logEnd, directorySeq: $0.directory.seq)
        }
        guard let snapshot else { return }
        directory = snapshot.directory
        for state in snapshot.organizations {
            states[state.id] = state
            snapshotSeqs[state.id] = state.seq
            seqs[state.id] = state.seq
        }
    }

    /// Applies one record. Events must arrive gap-free per stream; a gap means the log lost
    /// something it acknowledged, which recovery reports instead of guessing.
    /// - Throws: `PersistenceError.corrupt` on a seq gap.
    public mutating func apply(_ record: LogRecord, at position: LogPosition) throws {
        if let snapshot, position < snapshot.replayFrom {
            skipped += 1
            return
        }
        switch record {
        case .organization(let id, let event):
            if let seq = snapshotSeqs[id], event.seq <= seq {
                skipped += 1
                return
            }
            // An organization absent from the snapshot, met mid-stream before the snapshot's end,
            // was deleted before the snapshot was taken: its remaining events change nothing.
            if let snapshot, seqs[id] == nil, event.seq != Seq(1), position < snapshot.logEnd {
                deletedBeforeSnapshot.insert(id)
            }
            if deletedBeforeSnapshot.contains(id) {
                skipped += 1
                return
            }
            let current = seqs[id] ?? .zero
            guard event.seq == current.next else {
                throw PersistenceError(
                    .corrupt, path: "wal", offset: Int(position.rawValue),
                    "organization \(id): event seq \(event.seq) follows \(current) at log position \(position)")
            }
            pending[id, default: []].append(event)
            seqs[id] = event.seq
            records += 1
        case .directory(let event):
            if let snapshot, event.seq <= snapshot.directorySeq {
                skipped += 1
                return
            }
            guard event.seq == directory.seq.next else {
                throw PersistenceError(
                    .corrupt, path: "wal", offset: Int(position.rawValue),
                    "directory event seq \(event.seq) follows \(directory.seq) at log position \(position)")
            }
            directory.evolve(event)
            records += 1
        }
    }

    /// Evolves every organization with its checked events, in parallel across organizations.
    public mutating func finish() {
        guard !pending.isEmpty else { return }
        let slots = pending.map { id, events in
            ReplaySlot(id: id, state: states.removeValue(forKey: id), events: events)
        }
        pending = [:]
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, slots.count / 16))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: slots.count, by: workers) { slots[index].replay() }
        }
        for slot in slots { states[slot.id] = slot.state }
    }
}

/// One organization's replay: its state moves in, is evolved by one worker, and moves out, so that it
/// stays uniquely referenced (no copy-on-write of its maps while it evolves).
private final class ReplaySlot: @unchecked Sendable {
    // @unchecked: each slot is touched by exactly one worker of `finish()`, and read after it joins.
    let id: OrgID
    var state: OrgState?
    let events: [OrgEvent]

    init(id: OrgID, state: OrgState?, events: [OrgEvent]) {
        self.id = id
        self.state = state
        self.events = events
    }

    func replay() {
        var current = state ?? OrgState(id: id)
        state = nil
        for event in events { current.evolve(event) }
        state = current
    }
}

/// What recovery needs of a snapshot once its states are taken over.
public struct SnapshotInfo: Sendable {
    public let replayFrom: LogPosition
    public let logEnd: LogPosition
    public let directorySeq: Seq
}

/// Opening a data directory for serving: lock, load the newest good snapshot, replay the log after it,
/// start the log.
public enum Storage {
    /// Takes the directory's lock, rebuilds the states and returns the log ready for appends.
    /// - Throws: `PersistenceError` (locked, corrupt, unsupported version, a gap between snapshot and
    ///   log, I/O).
    public static func open(
        _ path: String, configuration: WALConfiguration, logger: Logger
    ) throws -> (directory: DataDirectory, log: FileEventLog, states: RecoveredStates) {
        let directory = try DataDirectory.open(path)
        do {
            // The capture is dropped once its states are taken over, so that replay evolves them in
            // place rather than copying every map the capture still shares.
            var recovered = RecoveredStates(
                snapshot: try SnapshotStore(dataDirectory: directory).loadNewest(logger: logger))
            var read = 0
            let start = recovered.snapshot.map { WALStart(replayFrom: $0.replayFrom, logEnd: $0.logEnd) }
            let log = try FileEventLog.open(directory, configuration: configuration, logger: logger, start: start) {
                record, position in
                try recovered.apply(record, at: position)
                read += 1
                // Progress on long restores: a line per quarter million records read.
                if read % 250_000 == 0 { logger.info("recovery: \(read) log records read, at position \(position)") }
            }
            recovered.finish()
            return (directory, log, recovered)
        } catch {
            directory.close()
            throw error
        }
    }
}
