/// An append-only sequence that stays cheap to append to while older copies of it are still read.
///
/// Why by hand: the published `OrgView` shares the durable state's storage, so appending to a plain
/// `Array` that a view still holds copies the whole array on every write (no per-write copy
/// of a whole organization), and swift-collections has no persistent vector. This is the classic
/// persistent vector (a 32-way trie of full leaves plus a tail of up to 32 elements): an append
/// copies the tail, and once in 32 appends a path of at most log32(n) nodes.
///
/// The members are inlinable so that modules decoding millions of elements at start-up (Persistence)
/// get specialized code instead of generic calls with a metadata lookup per element.
public struct AppendLog<Element: Sendable>: Sendable, RandomAccessCollection {
    @usableFromInline
    indirect enum Node: Sendable {
        /// Exactly `width` elements.
        case leaf([Element])
        /// Up to `width` children, all full except possibly the last.
        case branch([Node])
    }

    @usableFromInline static var bits: Int { 5 }
    @usableFromInline static var width: Int { 1 << bits }

    @usableFromInline var storedCount = 0
    @inlinable public var count: Int { storedCount }
    @usableFromInline var root: Node?
    /// The level of the root's children: leaves hang at 0, the root's children at `shift - bits`.
    @usableFromInline var shift = 0
    @usableFromInline var tail: [Element] = []

    @inlinable
    public init() {}

    @inlinable
    public init(_ elements: some Sequence<Element>) {
        for element in elements { append(element) }
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    @usableFromInline var tailOffset: Int { count - tail.count }

    @inlinable
    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < count, "index \(position) out of 0..<\(count)")
        if position >= tailOffset { return tail[position - tailOffset] }
        var node = root!
        var level = shift
        while true {
            switch node {
            case .branch(let children):
                node = children[(position >> level) & (Self.width - 1)]
                level -= Self.bits
            case .leaf(let elements):
                return elements[position & (Self.width - 1)]
            }
        }
    }

    @inlinable
    public mutating func append(_ element: Element) {
        if tail.count < Self.width {
            tail.append(element)
            storedCount += 1
            return
        }
        let leaf = Node.leaf(tail)
        if let current = root {
            // The trie is full at this depth when its leaf count exceeds width^(shift/bits).
            if (tailOffset >> Self.bits) >= (1 << shift) {
                root = .branch([current, Self.path(to: leaf, level: shift)])
                shift += Self.bits
            } else {
                root = Self.push(leaf, into: current, level: shift, leafIndex: tailOffset >> Self.bits)
            }
        } else {
            root = .branch([leaf])
            shift = Self.bits
        }
        tail = [element]
        storedCount += 1
    }

    /// A chain of single-child branches from `level` down to `leaf`.
    @usableFromInline
    static func path(to leaf: Node, level: Int) -> Node {
        level == 0 ? leaf : .branch([path(to: leaf, level: level - bits)])
    }

    /// A copy of `node` (a branch at `level`) with `leaf` added as leaf number `leafIndex`.
    @usableFromInline
    static func push(_ leaf: Node, into node: Node, level: Int, leafIndex: Int) -> Node {
        guard case .branch(var children) = node else { preconditionFailure("a leaf where a branch belongs") }
        let slot = (leafIndex >> (level - bits)) & (width - 1)
        if level == bits {
            children.append(leaf)
        } else if slot < children.count {
            children[slot] = push(leaf, into: children[slot], level: level - bits, leafIndex: leafIndex)
        } else {
            children.append(path(to: leaf, level: level - bits))
        }
        return .branch(children)
    }
}

extension AppendLog: Equatable where Element: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.elementsEqual(rhs) }
}
