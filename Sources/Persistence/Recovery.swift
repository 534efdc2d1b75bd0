public import Engine  // Recovery hands back Engine states.
public import Logging  // Callers hand recovery their Logger.

/// The states rebuilt from the log: every organization and the directory, by `evolve` alone.
public struct RecoveredStates: Sendable {
    public internal(set) var organizations: [OrgID: OrgState] = [:]
    public internal(set) var directory = DirectoryState()
    /// Records replayed.
    public internal(set) var records = 0

    public init() {}

    /// Applies one record. Events must arrive gap-free per stream; a gap means the log lost
    /// something it acknowledged, which recovery reports instead of guessing.
    /// - Throws: `PersistenceError.corrupt` on a seq gap.
    public mutating func apply(_ record: LogRecord, at position: LogPosition) throws {
        records += 1
        switch record {
        case .organization(let id, let event):
            var state = organizations[id] ?? OrgState(id: id)
            guard event.seq == state.seq.next else {
                throw PersistenceError(
                    .corrupt, path: "wal", offset: Int(position.rawValue),
                    "organization \(id): event seq \(event.seq) follows \(state.seq) at log position \(position)")
            }
            organizations[id] = nil  // keep the state uniquely referenced while it evolves
            state.evolve(event)
            organizations[id] = state
        case .directory(let event):
            guard event.seq == directory.seq.next else {
                throw PersistenceError(
                    .corrupt, path: "wal", offset: Int(position.rawValue),
                    "directory event seq \(event.seq) follows \(directory.seq) at log position \(position)")
            }
            directory.evolve(event)
        }
    }
}

/// Opening a data directory for serving: lock, recover, start the log.
public enum Storage {
    /// Takes the directory's lock, replays its log into states and returns the log ready for appends.
    /// - Throws: `PersistenceError` (locked, corrupt, unsupported version, I/O).
    public static func open(
        _ path: String, configuration: WALConfiguration, logger: Logger
    ) throws -> (directory: DataDirectory, log: FileEventLog, states: RecoveredStates) {
        let directory = try DataDirectory.open(path)
        do {
            var states = RecoveredStates()
            let log = try FileEventLog.open(directory, configuration: configuration, logger: logger) { record, position in
                try states.apply(record, at: position)
            }
            return (directory, log, states)
        } catch {
            directory.close()
            throw error
        }
    }
}
