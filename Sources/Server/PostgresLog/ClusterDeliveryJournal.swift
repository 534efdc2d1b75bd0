package import Engine
import Foundation
package import Logging
import NIOCore
import Persistence
package import PostgresNIO
import Synchronization

/// The delivery journal of a cluster (`statusd_delivery_marks`, schema version 4): the leader's marks
/// as rows, so that a new leader goes on after the last progress mark of each notification instead of
/// telling everyone again. Each statement is bounded in time: a lost server fails the deliverer's pass
/// (it tries again on the next), it never holds it.
package final class ClusterDeliveryJournal: DeliveryJournal {
    let client: PostgresClient
    let logger: Logger
    /// The highest row this node has folded: compaction removes no row above it (a mark another node
    /// wrote meanwhile survives; at worst some recipients are told again, never missed).
    private let folded = Mutex<Int64>(0)

    package init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    package func load() async throws -> DeliveryLedger {
        let (client, logger) = (self.client, self.logger)
        let rows = try await BoundedConnection.race(timeout: .seconds(10)) {
            try await client.query("SELECT id, mark FROM statusd_delivery_marks ORDER BY id", logger: logger).collect()
        }
        var ledger = DeliveryLedger()
        var highest: Int64 = 0
        for row in rows {
            let (id, bytes) = try row.decode((Int64, ByteBuffer).self)
            ledger.apply(try DeliveryMarkCodec.decode(bytes))
            highest = max(highest, id)
        }
        folded.withLock { $0 = highest }
        return ledger
    }

    package func append(_ marks: [DeliveryMark]) async throws {
        guard !marks.isEmpty else { return }
        let bytes = marks.map(DeliveryMarkCodec.encode)
        let (client, logger) = (self.client, self.logger)
        let rows = try await BoundedConnection.race(timeout: .seconds(10)) {
            try await client.query(
                "INSERT INTO statusd_delivery_marks (mark) SELECT unnest(\(bytes)::bytea[]) RETURNING id",
                logger: logger
            ).collect()
        }
        let highest = try rows.map { try $0.decode(Int64.self) }.max() ?? 0
        folded.withLock { $0 = max($0, highest) }
    }

    package func compact(to ledger: DeliveryLedger) async throws {
        let bytes = ledger.marks.map(DeliveryMarkCodec.encode)
        let bound = folded.withLock { $0 }
        let (client, logger) = (self.client, self.logger)
        // One statement: the rows folded go and the compacted marks come in one transaction.
        let rows = try await BoundedConnection.race(timeout: .seconds(10)) {
            try await client.query(
                """
                WITH gone AS (DELETE FROM statusd_delivery_marks WHERE id <= \(bound)) \
                INSERT INTO statusd_delivery_marks (mark) SELECT unnest(\(bytes)::bytea[]) RETURNING id
                """, logger: logger
            ).collect()
        }
        let highest = try rows.map { try $0.decode(Int64.self) }.max() ?? 0
        folded.withLock { $0 = max($0, highest) }
    }
}
