import Engine
import Foundation
import Logging
import Persistence
import PostgresLog
import PostgresNIO
import TestSupport
import Testing

/// The log on PostgreSQL as a released schema holds it, loaded into today's schema and read back
/// through the log's own code: `snapshots/postgres-v1/statusd_events.tsv` (schema version 1, records of
/// versions 1 and 2) decodes forever. Write it again only for a new schema version, into a new folder:
/// `STATUSD_WRITE_GOLDEN=1 scripts/with-postgres.sh swift test --filter GoldenLogTests`.
@Suite(.serialized) struct GoldenLogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let dump = root.appendingPathComponent("snapshots/postgres-v1/statusd_events.tsv")
    static let at = Date(timeIntervalSince1970: 1_795_000_000.5)
    static let org = OrgID("org_" + String(repeating: "7", count: 20))!

    /// One organization's events (a keyed command among them) and one directory event.
    static var records: [LogRecord] {
        let owner = AccountID("usr_" + String(repeating: "7", count: 20))!
        let service = Service(
            id: ServiceID("svc_" + String(repeating: "7", count: 20))!, name: "API", description: "REST",
            status: .operational, statusReason: .created, groupID: nil, position: 0, createdAt: at, updatedAt: at)
        let changes: [OrgChange] = [
            .organizationCreated(
                org, OrgSettings(slug: "golden", name: "Golden", timeZone: "UTC"),
                owner: Member(
                    id: MemberID("mem_" + String(repeating: "7", count: 20))!, accountID: owner, role: .owner,
                    joinedAt: at)),
            .commandKeyed(CommandKey(key: "golden-key", fingerprint: "00ff")!, events: 1),
            .serviceCreated(service),
            .serviceStatusChanged(service.id, to: .majorOutage, reason: .manual),
        ]
        let events = changes.enumerated().map { index, change in
            LogRecord.organization(
                org, OrgEvent(seq: Seq(UInt64(index + 1)), at: at, by: .account(owner), change: change))
        }
        let account = Account(id: owner, email: "owner@golden.example", name: "Owner", passwordHash: nil, createdAt: at)
        return events + [.directory(DirectoryEvent(seq: Seq(1), at: at, change: .accountCreated(account)))]
    }

    @Test func schemaV1Dump_loadsIntoTodaysSchema_andDecodesToTheSameRecords() async throws {
        let server = try await TemporaryPostgres.started()
        if ProcessInfo.processInfo.environment["STATUSD_WRITE_GOLDEN"] == "1" { try await Self.write(server) }
        let text = try String(contentsOf: Self.dump, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(text.hasPrefix("# statusd event log on PostgreSQL, schema version 1"))
        let fresh = try await TemporaryPostgres.started()
        try await PostgresEventLogTests.withClient(fresh) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: PostgresEventLogTests.logger)
            for line in lines {
                let fields = line.split(separator: "\t").map(String.init)
                try #require(fields.count == 6, "\(line)")
                try await client.query(
                    """
                    INSERT INTO statusd_events (position, stream, seq, command, node, record) VALUES \
                    (\(Int64(fields[0])!), \(fields[1]), \(Int64(fields[2])!), \(fields[3]), \(fields[4]), \
                    decode(\(fields[5]), 'hex'))
                    """, logger: PostgresEventLogTests.logger)
            }
            let read = try await PostgresEventLogTests.all(try nodes.log())
            #expect(read.map(\.0.rawValue) == Array(1...UInt64(lines.count)))
            #expect(read.map(\.1) == Self.records)
        }
    }

    /// Appends the records through the log, then dumps its events table.
    static func write(_ server: TemporaryPostgres) async throws {
        try await PostgresEventLogTests.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: PostgresEventLogTests.logger)
            let log = try nodes.log("golden")
            for record in Self.records { _ = try await log.append([record], isolation: #isolation) }
        }
        let rows = try server.psql(
            """
            SELECT position || E'\\t' || stream || E'\\t' || seq || E'\\t' || 'command-' || position || E'\\t' \
            || node || E'\\t' || encode(record, 'hex') FROM statusd_events ORDER BY position
            """)
        try FileManager.default.createDirectory(
            at: dump.deletingLastPathComponent(), withIntermediateDirectories: true)
        try
            ("# statusd event log on PostgreSQL, schema version 1: position, stream, seq, command, node, record (hex)\n"
            + rows).write(to: dump, atomically: true, encoding: .utf8)
    }
}
