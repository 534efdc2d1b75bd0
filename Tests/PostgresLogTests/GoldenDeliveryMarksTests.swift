import Engine
import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import PostgresLog

/// The cluster's delivery journal as schema version 4 holds it: `snapshots/postgres-v4/delivery_marks.tsv`
/// has a row of each kind of mark, loaded into today's schema and folded back through the leader's own
/// code, forever. Write it again only for a new schema version, into a new folder:
/// `STATUSD_WRITE_GOLDEN=1 scripts/with-postgres.sh swift test --filter GoldenDeliveryMarksTests`.
@Suite(.serialized) struct GoldenDeliveryMarksTests {
    static let file = GoldenLogTests.root.appendingPathComponent("snapshots/postgres-v4/delivery_marks.tsv")
    static let logger = PostgresEventLogTests.logger

    static func id<Kind>(_ prefix: String, _ suffix: String) -> Identifier<Kind> {
        Identifier<Kind>(prefix + "_" + String(repeating: "0", count: 20 - suffix.count) + suffix)!
    }

    static var marks: [DeliveryMark] {
        let key = NoticeKey(org: id("org", "7"), seq: Seq(40))
        let done = NoticeKey(org: id("org", "7"), seq: Seq(31))
        return [
            .progress(key, lane: .urls, through: id("sub", "3")),
            .retry(
                key, id("sub", "2"), attempt: 4, due: Date(timeIntervalSince1970: 1_795_000_120), reason: "HTTP 502"),
            .settled(key, id("sub", "2")),
            .progress(key, lane: .mail, through: id("sub", "6")),
            .progress(done, lane: .urls, through: id("sub", "8")),
            .finished(done),
        ]
    }

    @Test func schemaV4Marks_loadIntoTodaysSchema_andFoldToTheSameLedger() async throws {
        if ProcessInfo.processInfo.environment["STATUSD_WRITE_GOLDEN"] == "1" {
            let server = try await TemporaryPostgres.started()
            try await PostgresEventLogTests.withClient(server) { client, _ in
                _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
                try await ClusterDeliveryJournal(client: client, logger: Self.logger).append(Self.marks)
                var text =
                    "# statusd log on PostgreSQL, schema version 4: statusd_delivery_marks, a row per line: table, id, mark (hex)\n"
                for row in try await client.query(
                    "SELECT id, encode(mark, 'hex') FROM statusd_delivery_marks ORDER BY id", logger: Self.logger
                ).collect() {
                    let (id, hex) = try row.decode((Int64, String).self)
                    text += "statusd_delivery_marks\t\(id)\t\(hex)\n"
                }
                try FileManager.default.createDirectory(
                    at: Self.file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: Self.file, atomically: true, encoding: .utf8)
            }
        }
        let text = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(text.hasPrefix("# statusd log on PostgreSQL, schema version 4"))
        let server = try await TemporaryPostgres.started()
        try await PostgresEventLogTests.withClient(server) { client, _ in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let fields = line.split(separator: "\t").map(String.init)
                try #require(fields.count == 3 && fields[0] == "statusd_delivery_marks")
                let (id, hex) = (Int64(fields[1]) ?? 0, fields[2])
                try await client.query(
                    "INSERT INTO statusd_delivery_marks (id, mark) VALUES (\(id), decode(\(hex), 'hex'))",
                    logger: Self.logger)
            }
            // Rows loaded with their ids: the id sequence goes on after them, as after the rows' own inserts.
            try await client.query(
                "SELECT setval(pg_get_serial_sequence('statusd_delivery_marks', 'id'), max(id)) FROM statusd_delivery_marks",
                logger: Self.logger)
            let journal = ClusterDeliveryJournal(client: client, logger: Self.logger)
            var expected = DeliveryLedger()
            for mark in Self.marks { expected.apply(mark) }
            #expect(try await journal.load() == expected)
            // Compaction keeps what is unfinished, and a mark appended after it folds on top.
            var compacted = expected
            compacted.forget([NoticeKey(org: Self.id("org", "7"), seq: Seq(31))])
            try await journal.compact(to: compacted)
            let extra = DeliveryMark.progress(
                NoticeKey(org: Self.id("org", "7"), seq: Seq(40)), lane: .urls, through: Self.id("sub", "9"))
            try await journal.append([extra])
            compacted.apply(extra)
            #expect(try await journal.load() == compacted)
        }
    }
}
