package import Engine
package import Logging
package import Persistence
package import PostgresNIO

/// The history archive of a cluster: the blocks of every organization's archive in `statusd_archive`
/// (schema version 2), and each node's own archive directory as a copy of them that reads serve from.
/// The leader stores an organization's new blocks here before its `historyArchived` event; a node
/// copies the blocks it lacks before applying that event (`LogFollower`), and all of them when it
/// starts, so every node serves archived incidents and history pages the same, a new one included.
///
/// A node's copy holds the blocks numbered 1...n of the table, in order: it is compared by count, and
/// a copy with more blocks than the table (a data directory of another log) is replaced.
package struct SharedArchive: Sendable {
    package let client: PostgresClient
    /// Where blocks are stored (the leader's archive pass): bounded in time, so that a connection cut
    /// in the transaction cannot hold the pass, or the shutdown, forever. Nil for reading only.
    package let writer: BoundedConnection?
    package let archive: HistoryArchive
    package let logger: Logger

    package init(client: PostgresClient, writer: BoundedConnection? = nil, archive: HistoryArchive, logger: Logger) {
        self.client = client
        self.writer = writer
        self.archive = archive
        self.logger = logger
    }

    /// Copies every organization's missing blocks, and removes the copies of organizations the table
    /// has none of: what a node does before serving.
    package func copyAll() async throws {
        var counts: [OrgID: Int] = [:]
        let rows = try await client.query(
            "SELECT org, max(number) FROM statusd_archive GROUP BY org", logger: logger)
        for try await (name, count) in rows.decode((String, Int64).self) {
            guard let org = OrgID(name) else {
                throw PostgresLogError(description: "statusd_archive names an organization '\(name)' that is not one")
            }
            counts[org] = Int(count)
        }
        let local = try await onDedicatedThread { try archive.organizations() }
        for org in local where counts[org] == nil {
            logger.notice("removing the archive copy of \(org): the cluster's archive has none")
            try await onDedicatedThread { try archive.remove(org) }
        }
        for org in counts.keys.sorted() { try await copy(org) }
    }

    /// Copies the organization's blocks the node lacks (after its last one, in order).
    package func copy(_ org: OrgID) async throws {
        var have = try await onDedicatedThread { try archive.blockCount(of: org) }
        let newest =
            try await client.query(
                "SELECT coalesce(max(number), 0) FROM statusd_archive WHERE org = \(org.rawValue)", logger: logger
            ).collect().first?.decode(Int64.self) ?? 0
        if have > newest {
            logger.warning(
                "the archive copy of \(org) has \(have) blocks, the cluster's \(newest): copying it again")
            try await onDedicatedThread { try archive.remove(org) }
            have = 0
        }
        guard have < newest else { return }
        var blocks: [[UInt8]] = []
        let rows = try await client.query(
            """
            SELECT number, block FROM statusd_archive WHERE org = \(org.rawValue) AND number > \(Int64(have)) \
            ORDER BY number
            """, logger: logger)
        var expected = Int64(have) + 1
        for try await (number, block) in rows.decode((Int64, ByteBuffer).self) {
            guard number == expected else {
                throw PostgresLogError(description: "statusd_archive has no block \(expected) of \(org)")
            }
            blocks.append(Array(buffer: block))
            expected += 1
        }
        try await onDedicatedThread { [blocks] in try archive.append(blocks: blocks, of: org) }
    }

    /// Stores an organization's new blocks after the ones the table has, once this node's copy has
    /// them all (so that the copy stays the table's first blocks in order): the leader's archive pass.
    /// - Throws: when another node stored blocks of it at the same moment (the pass tries again later).
    package func store(_ org: OrgID, _ blocks: [[UInt8]]) async throws {
        guard let writer else { throw PostgresLogError(description: "this archive only reads the cluster's blocks") }
        try await copy(org)
        let (numbered, logger) = (blocks.map { ByteBuffer(bytes: $0) }, self.logger)
        _ = try await writer.transaction(timeout: .seconds(10)) { connection in
            try await connection.query(
                """
                INSERT INTO statusd_archive (org, number, block) \
                SELECT \(org.rawValue), coalesce((SELECT max(number) FROM statusd_archive WHERE org = \(org.rawValue)), 0) + n, b \
                FROM unnest(\(numbered)::bytea[]) WITH ORDINALITY AS t(b, n)
                """, logger: logger)
        }
    }
}
