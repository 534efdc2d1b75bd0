public import Engine
public import Foundation  // Date is part of the public values.
import NIOCore

/// An item of a history list: incidents and maintenance windows, listed newest first by `listedAt`,
/// ties broken by id.
public protocol HistoryItem: Identifiable, Sendable where ID: Comparable & Sendable {
    /// When the item is listed: an incident's start, a maintenance window's scheduled start.
    var listedAt: Date { get }
}

extension Incident: HistoryItem {
    public var listedAt: Date { createdAt }
}

extension Maintenance: HistoryItem {
    public var listedAt: Date { scheduledStart }
}

/// How the archive stores an item kind.
protocol ArchivedItem: HistoryItem {
    static var archiveKind: ArchiveKind { get }
    func writeArchived(into buffer: inout ByteBuffer)
    static func readArchived(from buffer: inout ByteBuffer) throws -> Self
}

extension Incident: ArchivedItem {
    static var archiveKind: ArchiveKind { .incidents }
    func writeArchived(into buffer: inout ByteBuffer) { buffer.writeWALIncident(self) }
    static func readArchived(from buffer: inout ByteBuffer) throws -> Incident { try buffer.readWALIncident() }
}

extension Maintenance: ArchivedItem {
    static var archiveKind: ArchiveKind { .maintenance }
    func writeArchived(into buffer: inout ByteBuffer) { buffer.writeWALMaintenance(self) }
    static func readArchived(from buffer: inout ByteBuffer) throws -> Maintenance { try buffer.readWALMaintenance() }
}

/// Where a newest-first list stopped: the next page holds the items listed strictly before it.
public struct HistoryCursor<Item: HistoryItem>: Hashable, Sendable {
    public let at: Date
    public let id: Item.ID

    public init(at: Date, id: Item.ID) {
        self.at = at
        self.id = id
    }

    /// Whether `item` comes after this cursor in a newest-first list.
    func precedes(_ item: Item) -> Bool { item.listedAt < at || (item.listedAt == at && item.id < id) }
}

/// One page of a newest-first history list and where the next one starts (nil on the last page).
public struct HistoryPage<Item: HistoryItem>: Sendable {
    public let items: [Item]
    public let next: HistoryCursor<Item>?
}

extension HistoryArchive {
    /// A page of an organization's incidents, newest first, across memory and the archive.
    /// - Parameters:
    ///   - memory: the incidents the organization's state holds now.
    ///   - cursor: the previous page's `next`, or nil for the first page.
    ///   - matching: a filter (status, time) applied before counting.
    public func incidents(
        of org: OrgID, memory: some Sequence<Incident>, after cursor: HistoryCursor<Incident>?, limit: Int,
        matching: (Incident) -> Bool = { _ in true }
    ) throws -> HistoryPage<Incident> {
        try page(of: org, memory: memory, after: cursor, limit: limit, matching: matching)
    }

    /// A page of an organization's maintenance windows, newest first, across memory and the archive.
    public func maintenance(
        of org: OrgID, memory: some Sequence<Maintenance>, after cursor: HistoryCursor<Maintenance>?, limit: Int,
        matching: (Maintenance) -> Bool = { _ in true }
    ) throws -> HistoryPage<Maintenance> {
        try page(of: org, memory: memory, after: cursor, limit: limit, matching: matching)
    }

    /// An archived incident by id (memory is the caller's to look in first).
    public func incident(_ id: IncidentID, of org: OrgID) throws -> Incident? { try find(id, of: org) }

    /// An archived maintenance window by id.
    public func maintenance(_ id: MaintenanceID, of org: OrgID) throws -> Maintenance? { try find(id, of: org) }

    /// Merges the items in memory with the archive's blocks, reading only the blocks that can hold
    /// a member of the page: blocks are visited newest first and the walk stops at the first block
    /// whose newest item is older than the page's last.
    private func page<Item: ArchivedItem>(
        of org: OrgID, memory: some Sequence<Item>, after cursor: HistoryCursor<Item>?, limit: Int,
        matching: (Item) -> Bool
    ) throws -> HistoryPage<Item> {
        precondition(limit > 0, "a page holds at least one item")
        let wanted = limit + 1  // one more than the page tells whether there is a next page
        let newestFirst: (Item, Item) -> Bool = { ($0.listedAt, $0.id) > ($1.listedAt, $1.id) }
        var seen = Set<Item.ID>()
        var collected: [Item] = []
        func take(_ items: some Sequence<Item>) {
            for item in items where cursor?.precedes(item) ?? true && matching(item) && seen.insert(item.id).inserted {
                collected.append(item)
            }
            collected.sort(by: newestFirst)
            if collected.count > wanted { collected.removeLast(collected.count - wanted) }
        }
        take(memory)
        let blocks = try index(of: org).blocks
            .filter { block in block.kind == Item.archiveKind && block.oldest <= cursor?.at ?? .distantFuture }
            .sorted { $0.newest > $1.newest }
        for block in blocks {
            if collected.count == wanted, block.newest < collected[wanted - 1].listedAt { break }
            take(try items(of: block, in: org, as: Item.self))
        }
        let items = Array(collected.prefix(limit))
        let next = collected.count > limit ? items.last.map { HistoryCursor<Item>(at: $0.listedAt, id: $0.id) } : nil
        return HistoryPage(items: items, next: next)
    }

    private func find<Item: ArchivedItem>(_ id: Item.ID, of org: OrgID) throws -> Item? {
        for block in try index(of: org).blocks.reversed() where block.kind == Item.archiveKind {
            if let item = try items(of: block, in: org, as: Item.self).first(where: { $0.id == id }) { return item }
        }
        return nil
    }
}
