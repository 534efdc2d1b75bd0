/// An append-only sequence that is cheap to copy and append to while an older copy is still read.
///
/// Why by hand: the published `OrgView` shares the durable state's storage, so appending to a plain
/// `Array` that a view still holds copies the whole array on every write (DESIGN: no per-write copy of
/// a whole organization). Here full chunks are immutable and shared; an append copies at most one
/// chunk of `chunkCapacity` elements plus the chunk list. swift-collections has no persistent vector.
public struct AppendLog<Element: Sendable>: Sendable, RandomAccessCollection {
    final class Chunk: Sendable {
        let elements: [Element]
        init(_ elements: [Element]) { self.elements = elements }
    }

    static var chunkCapacity: Int { 16 }

    private var sealed: [Chunk] = []
    private var tail: [Element] = []

    public init() {}

    public init(_ elements: some Sequence<Element>) {
        for element in elements { append(element) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { sealed.count * Self.chunkCapacity + tail.count }

    public subscript(position: Int) -> Element {
        let chunk = position / Self.chunkCapacity
        if chunk < sealed.count {
            return sealed[chunk].elements[position % Self.chunkCapacity]
        }
        return tail[position - sealed.count * Self.chunkCapacity]
    }

    public mutating func append(_ element: Element) {
        tail.append(element)
        if tail.count == Self.chunkCapacity {
            sealed.append(Chunk(tail))
            tail = []
        }
    }
}

extension AppendLog: Equatable where Element: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.elementsEqual(rhs) }
}
