public import Engine  // Recovery hands back Engine states.
public import Logging  // Callers hand recovery their Logger.

/// The states rebuilt from the log: every organization and the directory, by `evolve` alone.
public struct RecoveredStates: Sendable {
    public internal(set) var organizations: [OrgID: OrgState] = [:]
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
            organizations[state.id] = state
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
            if let snapshot, organizations[id] == nil, event.seq != Seq(1), position < snapshot.logEnd {
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
            // In place through the `default:` subscript's modify accessor: no copy of the state.
            organizations[id, default: OrgState(id: id)].evolve(event)
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
            let snapshot = try SnapshotStore(dataDirectory: directory).loadNewest(logger: logger)
            var states = RecoveredStates(snapshot: snapshot)
            var read = 0
            let log = try FileEventLog.open(
                directory, configuration: configuration, logger: logger,
                start: snapshot.map { WALStart(replayFrom: $0.replayFrom, logEnd: $0.logEnd) }
            ) { record, position in
                try states.apply(record, at: position)
                read += 1
                // Progress on long restores: a line per quarter million records read.
                if read % 250_000 == 0 { logger.info("recovery: \(read) log records read, at position \(position)") }
            }
            return (directory, log, states)
        } catch {
            directory.close()
            throw error
        }
    }
}
