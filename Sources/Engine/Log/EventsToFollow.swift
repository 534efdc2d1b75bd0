/// What a writer of a shared log (`OrgActor`, `Directory`) applies when it catches up or follows:
/// the events it was given when they start right after `durable`, otherwise its stream's events
/// read back from the log. Either way, only those after `durable`.
/// - Throws: `AppendRefused(.unavailable)` naming `subject` when the log cannot be read.
func eventsToFollow<Event: Sendable>(
    _ given: [Event], after durable: Seq, seq: (Event) -> Seq, stream: StreamID, subject: String,
    log: any EventLog, isolation: isolated (any Actor)? = #isolation, event: (LogRecord) -> Event?
) async throws -> [Event] {
    let events = given.filter { seq($0) > durable }
    if let first = events.first, seq(first) == durable.next { return events }
    do {
        return try await log.records(of: stream, after: durable).compactMap(event)
    } catch {
        throw AppendRefused(.unavailable, "\(subject) could not be read back from the log: \(error)")
    }
}
