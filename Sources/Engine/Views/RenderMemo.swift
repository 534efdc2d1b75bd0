public import NIOCore  // ByteBuffer is what renderers store and readers send.
import Synchronization

/// The rendered bytes of one published view, per representation (JSON summary, HTML page, gzip, ...).
///
/// A burst of reads after a change renders each representation once; every later read takes the
/// stored `ByteBuffer` (a reference, no copy). The lock is per view and held only for a dictionary
/// lookup or insert, never while rendering, so readers of one organization never wait on a renderer
/// and never on another organization (invariant 4, docs/ARCHITECTURE.md). Two readers that miss at once may both
/// render; the first stored result wins, so every reader of a view sees the same bytes.
public final class RenderMemo: Sendable {
    private let entries = Mutex<[String: ByteBuffer]>([:])
    private let texts = Mutex<[String: String]>([:])

    /// Renders since start, across every view: with the public reads counted by route on `/metrics`,
    /// the memo's hit rate is 1 - renders / reads. Only misses count, so a hit pays nothing for it.
    private static let renderCounter = Atomic<Int>(0)
    public static var renders: Int { renderCounter.load(ordering: .relaxed) }

    public init() {}

    /// The bytes of `representation`, rendering them with `render` on the first call.
    public func bytes(_ representation: String, render: () throws -> ByteBuffer) rethrows -> ByteBuffer {
        if let hit = entries.withLock({ $0[representation] }) { return hit }
        let rendered = try render()
        Self.renderCounter.add(1, ordering: .relaxed)
        return entries.withLock { entries in
            if let winner = entries[representation] { return winner }
            entries[representation] = rendered
            return rendered
        }
    }

    /// A short text derived from the view (an ETag, a Last-Modified date), made on the first call:
    /// formatting it on every read would put a date formatter on the hottest path.
    public func text(_ name: String, make: () -> String) -> String {
        if let hit = texts.withLock({ $0[name] }) { return hit }
        let made = make()
        return texts.withLock { texts in
            if let winner = texts[name] { return winner }
            texts[name] = made
            return made
        }
    }

}
