/// Everything a snapshot holds: the durable states of the directory and of every organization, each
/// copied at its own moment without stopping writes, and where replay must start so that nothing
/// appended around those moments is missed.
public struct SnapshotCapture: Sendable {
    /// Replay the log from here, skipping events at or below each state's seq.
    public let replayFrom: LogPosition
    /// The log's append position when the capture began: a log restored from this snapshot alone
    /// continues here.
    public let logEnd: LogPosition
    public let directory: DirectoryState
    public let organizations: [OrgState]

    public init(replayFrom: LogPosition, logEnd: LogPosition, directory: DirectoryState, organizations: [OrgState]) {
        self.replayFrom = replayFrom
        self.logEnd = logEnd
        self.directory = directory
        self.organizations = organizations
    }
}

extension Registry {
    /// Copies every organization's durable state and the directory's, from their published views.
    ///
    /// Order matters: the log's position is read first; then, per stream, the oldest unpublished
    /// position before the view. An event missing from a copied view was then either appended after
    /// the capture began (at or after `logEnd`) or in flight when its stream was read (at or after
    /// that stream's unpublished position), so replaying from the minimum of them finds it.
    public func capture(log: any EventLog, directory: Directory) -> SnapshotCapture {
        let logEnd = log.appendPosition
        var replayFrom = logEnd
        var states: [OrgState] = []
        for actor in allIncludingCreations {
            if let position = actor.unpublishedPosition { replayFrom = min(replayFrom, position) }
            let state = actor.view.state
            if state.exists { states.append(state) }
        }
        if let position = directory.unpublishedPosition { replayFrom = min(replayFrom, position) }
        return SnapshotCapture(
            replayFrom: replayFrom, logEnd: logEnd, directory: directory.state, organizations: states)
    }
}
