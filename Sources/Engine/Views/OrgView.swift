public import Foundation  // Date is part of the public values.

/// What readers see of one organization: an immutable durable state, swapped in whole by the actor
/// after each durable write. It shares storage with the actor's durable state.
public final class OrgView: Sendable {
    /// The durable state this view shows; never ahead of the log (invariant 2, docs/ARCHITECTURE.md).
    public let state: OrgState
    /// When this view was published; `Last-Modified` of representations that do not show days.
    public let publishedAt: Date
    /// Rendered bytes of this view, per representation.
    public let memo = RenderMemo()
    /// The uptime period renderings of this view are good for at a given time.
    public let uptimePeriod: UptimePeriod
    /// When a maintenance timer must next act on this organization; computed once per publish so
    /// the scheduler's scan reads a field.
    public let nextDeadline: Date?

    public init(state: OrgState, publishedAt: Date) {
        self.state = state
        self.publishedAt = publishedAt
        self.nextDeadline = state.nextDeadline
        self.uptimePeriod = UptimePeriod(state)
    }

    public var id: OrgID { state.id }
    public var slug: String { state.settings.slug }
    /// The public version: the seq of the last public event, the base of every public ETag.
    public var publicSeq: Seq { state.publicSeq }
}
