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
        precondition(
            !streams.values.contains { !$0.pending.isEmpty }, "RecoveredStates.organizations read before finish()")
        return states
    }
    private var states: [OrgID: OrgState] = [:]
    /// What replay knows of each organization's stream, in one map: a replayed event costs one
    /// lookup (hashing an id is most of the bookkeeping on a million-event log).
    private var streams: [OrgID: StreamReplay] = [:]
    /// Events were queued since the last `finish()`.
    private var unfinished = false
    public internal(set) var directory = DirectoryState()
    /// Records replayed into the states.
    public internal(set) var records = 0
    /// Records read from the log but already in the snapshot.
    public internal(set) var skipped = 0
    /// Where the snapshot recovery started from points the log, if there was one. Only these
    /// figures are kept: holding the capture itself would keep a second copy of every state alive.
    public let snapshot: SnapshotInfo?

    /// States to replay into, starting from `snapshot`'s when there is one.
    public init(snapshot: SnapshotCapture? = nil) {
        self.snapshot = snapshot.map {
            SnapshotInfo(replayFrom: $0.replayFrom, logEnd: $0.logEnd, directorySeq: $0.directory.seq)
        }
        guard let snapshot else { return }
        directory = snapshot.directory
        for state in snapshot.organizations {
            states[state.id] = state
            streams[state.id] = StreamReplay(snapshotSeq: state.seq)
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
            if try streams[id, default: StreamReplay(snapshotSeq: nil)].accept(
                event, of: id, at: position, snapshot: snapshot)
            {
                records += 1
                unfinished = true
            } else {
                skipped += 1
            }
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

    /// The seq replay has reached in `stream`: the snapshot's, or the last event applied after it.
    public func seq(of stream: StreamID) -> Seq {
        switch stream {
        case .directory: directory.seq
        case .organization(let id): streams[id]?.seq ?? .zero
        }
    }

    /// Applies `record` by its seq alone, for a shared log that keeps every event (cluster mode): one
    /// the states already hold is skipped, the next one is applied, and for one further on nothing is
    /// applied and the stream's seq is returned, so that the caller reads the events in between from
    /// the log and applies them first. Positions say nothing here: with several writers, a snapshot's
    /// replay position can be past events of other writers that its states never saw.
    /// - Returns: nil when applied or skipped; the stream's seq when events are missing before `record`.
    public mutating func applyInSeqOrder(_ record: LogRecord) -> Seq? {
        switch record {
        case .organization(let id, let event):
            let seq = streams[id]?.seq ?? .zero
            if event.seq <= seq {
                skipped += 1
                return nil
            }
            guard event.seq == seq.next else { return seq }
            // In place: the pending events are not copied per event.
            streams[id, default: StreamReplay(snapshotSeq: nil)].pending.append(event)
            streams[id]?.seq = event.seq
            records += 1
            unfinished = true
        case .directory(let event):
            if event.seq <= directory.seq {
                skipped += 1
                return nil
            }
            guard event.seq == directory.seq.next else { return directory.seq }
            directory.evolve(event)
            records += 1
        }
        return nil
    }

    /// Evolves every organization with its checked events, in parallel across organizations.
    public mutating func finish() {
        let slots = streams.filter { !$0.value.pending.isEmpty }.map { id, stream in
            ReplaySlot(id: id, state: states.removeValue(forKey: id), events: stream.pending)
        }
        unfinished = false
        guard !slots.isEmpty else { return }
        for slot in slots { streams[slot.id]?.pending = [] }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, slots.count / 16))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: slots.count, by: workers) { slots[index].replay() }
        }
        for slot in slots { states[slot.id] = slot.state }
    }
}

/// Replay's bookkeeping for one organization: where the snapshot left it, the last seq checked, and
/// the checked events waiting for `finish()`.
private struct StreamReplay {
    /// The seq the snapshot holds, or nil when the organization is not in it.
    let snapshotSeq: Seq?
    var seq: Seq
    /// Deleted before the snapshot was taken: its remaining events change nothing.
    var deletedBeforeSnapshot = false
    var pending: [OrgEvent] = []

    init(snapshotSeq: Seq?) {
        self.snapshotSeq = snapshotSeq
        self.seq = snapshotSeq ?? .zero
    }

    /// Checks `event` and queues it. - Returns: false when the snapshot already has it.
    /// - Throws: `PersistenceError.corrupt` on a seq gap.
    mutating func accept(_ event: OrgEvent, of id: OrgID, at position: LogPosition, snapshot: SnapshotInfo?) throws
        -> Bool
    {
        if let snapshotSeq, event.seq <= snapshotSeq { return false }
        // An organization absent from the snapshot, met mid-stream before the snapshot's end, was
        // deleted before the snapshot was taken.
        if let snapshot, snapshotSeq == nil, seq == .zero, event.seq != Seq(1), position < snapshot.logEnd {
            deletedBeforeSnapshot = true
        }
        if deletedBeforeSnapshot { return false }
        guard event.seq == seq.next else {
            throw PersistenceError(
                .corrupt, path: "wal", offset: Int(position.rawValue),
                "organization \(id): event seq \(event.seq) follows \(seq) at log position \(position)")
        }
        pending.append(event)
        seq = event.seq
        return true
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
            if FileManager.default.fileExists(atPath: directory.path + "/cluster") {
                throw PersistenceError(
                    .clusterNode, path: directory.path + "/cluster",
                    "this data directory belongs to a node of a log on PostgreSQL: start it with postgres_url set, or use `statusd cluster export` to get a local data directory"
                )
            }
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
