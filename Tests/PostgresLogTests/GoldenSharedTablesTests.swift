import Engine
import Foundation
import HashTreeCollections
import Logging
import Persistence
import PostgresNIO
import TestSupport
import Testing

@testable import PostgresLog

/// The tables the nodes of a cluster share besides the events, as schema version 3 holds them:
/// `snapshots/postgres-v3/shared.tsv` has a row of each (`statusd_meta`'s shared rows, `statusd_names`,
/// `statusd_snapshots`, `statusd_archive`, `statusd_leases`, `statusd_nodes`, `statusd_key_usage`), loaded into today's
/// schema and read back through the nodes' own code, forever. Write it again only for a new schema
/// version, into a new folder: `STATUSD_WRITE_GOLDEN=1 scripts/with-postgres.sh swift test --filter
/// GoldenSharedTablesTests`.
@Suite(.serialized) struct GoldenSharedTablesTests {
    static let file = GoldenLogTests.root.appendingPathComponent("snapshots/postgres-v3/shared.tsv")
    static let logger = PostgresEventLogTests.logger
    static let org = GoldenLogTests.org
    static let key = KeyID("key_" + String(repeating: "7", count: 20))!
    /// Each table's columns in the file's order; bytea columns are hex.
    static let tables: [(name: String, columns: [String], bytea: Set<String>)] = [
        ("statusd_meta", ["key", "value"], []),
        ("statusd_names", ["kind", "name", "org", "claimed_at"], []),
        ("statusd_snapshots", ["position", "node", "taken_at", "snapshot"], ["snapshot"]),
        ("statusd_archive", ["org", "number", "block"], ["block"]),
        ("statusd_leases", ["name", "node", "until"], []),
        (
            "statusd_nodes", ["node", "address", "version", "epoch", "position", "lag_seconds", "leader", "seen_at"],
            []
        ),
        ("statusd_key_usage", ["key", "last_used"], []),
    ]

    @Test func schemaV3SharedTables_loadIntoTodaysSchema_andReadBackThroughTheNodesCode() async throws {
        if ProcessInfo.processInfo.environment["STATUSD_WRITE_GOLDEN"] == "1" {
            try await Self.write(try await TemporaryPostgres.started())
        }
        let text = try String(contentsOf: Self.file, encoding: .utf8)
        #expect(text.hasPrefix("# statusd log on PostgreSQL, schema version 3"))
        let server = try await TemporaryPostgres.started()
        try await PostgresEventLogTests.withClient(server) { client, _ in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                let table = try #require(Self.tables.first { $0.name == fields[0] }, "\(line.prefix(40))")
                try #require(fields.count == table.columns.count + 1, "\(table.name)")
                let values = zip(table.columns, fields.dropFirst()).map { column, value in
                    let quoted = "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
                    return table.bytea.contains(column) ? "decode(\(quoted), 'hex')" : quoted
                }
                let conflict =
                    table.name == "statusd_meta" ? " ON CONFLICT (key) DO UPDATE SET value = excluded.value" : ""
                try await client.query(
                    PostgresQuery(
                        unsafeSQL:
                            "INSERT INTO \(table.name) (\(table.columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))\(conflict)"
                    ), logger: Self.logger)
            }

            let key = try await LogSchema.sharedSecret(named: "session", client, logger: Self.logger)
            #expect(key == Array(repeating: 0x5a, count: 32), "the session key is the stored one")
            #expect(try await SharedSnapshots.prunedBefore(client, logger: Self.logger) == 5)
            let snapshot = try #require(try await SharedSnapshots.newest(client, logger: Self.logger))
            #expect(snapshot.replayFrom == LogPosition(5))
            let state = try #require(snapshot.organizations.first)
            #expect(state.id == Self.org && state.settings.slug == "golden" && state.services.count == 1)
            #expect(state.incidents.isEmpty, "the resolved incident went to the archive")

            let names = ClusterNames(client: client, logger: Self.logger)
            await #expect(throws: EngineError.self, "a slug held is refused to another organization") {
                try await names.claim([OrgName(.slug, "golden")], for: OrgID.random())
            }
            let held: Set<OrgName> = [OrgName(.slug, "golden"), OrgName(.domain, "status.golden.example")]
            let (added, removed) = try await names.reconcile(held: [Self.org: held])
            #expect(added == 0 && removed == 0, "the claims are the names the organization holds")

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID())")
            defer { try? FileManager.default.removeItem(at: directory) }
            let archive = try HistoryArchive(directory: try DataDirectory.open(directory.path), logger: Self.logger)
            try await SharedArchive(client: client, archive: archive, logger: Self.logger).copyAll()
            let counts = try archive.counts(of: Self.org)
            #expect(counts.incidents == 1 && counts.maintenance == 0)

            let seen = try await ClusterPresence.seen(client, logger: Self.logger)
            #expect(seen.map(\.node) == ["golden:1"])
            #expect(seen.first?.report.position == 4 && seen.first?.report.leader == true)
            let lease = try await client.query(
                "SELECT node FROM statusd_leases WHERE name = 'leader'", logger: Self.logger
            )
            .collect().first?.decode(String.self)
            #expect(lease == "golden:1")
            let keyUsed = try await ClusterKeyUsage(client: client, logger: Self.logger).share([:])
            #expect(keyUsed == [Self.key: Date(timeIntervalSince1970: 1_795_000_000)])
        }
    }

    /// Makes each row through the code that writes it in a cluster, then dumps the tables.
    static func write(_ server: TemporaryPostgres) async throws {
        try await PostgresEventLogTests.withClient(server) { client, _ in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let at = GoldenLogTests.at
            var state = OrgState(id: Self.org)
            for case .organization(_, let event) in GoldenLogTests.records { state.evolve(event) }
            let owner = AccountID("usr_" + String(repeating: "7", count: 20))!
            for command in [
                OrgCommand.createIncident(
                    IncidentDraft(
                        name: "Golden outage", status: .investigating, impact: .major, body: "Down", affected: [])),
                .updateOrganization(OrgPatch(customDomain: "status.golden.example")),
            ] {
                for change in try state.decide(command, by: .account(owner), at: at) {
                    state.evolve(OrgEvent(seq: state.seq.next, at: at, by: .account(owner), change: change))
                }
            }
            let incident = try #require(state.incidents.keys.first)
            for change in try state.decide(
                .postIncidentUpdate(incident, status: .resolved, body: "Fixed", affected: nil), by: .account(owner),
                at: at)
            {
                state.evolve(OrgEvent(seq: state.seq.next, at: at, by: .account(owner), change: change))
            }
            let later = at.addingTimeInterval(400 * 86_400)
            let history = state.archivableHistory(at: later)
            for change in try state.decide(
                .archiveHistory(incidents: history.incidents.map(\.id), maintenance: []), by: .system, at: later)
            {
                state.evolve(OrgEvent(seq: state.seq.next, at: later, by: .system, change: change))
            }
            let blocks = try HistoryArchive.blocks(of: history)
            try await client.query(
                """
                INSERT INTO statusd_archive (org, number, block) \
                SELECT \(Self.org.rawValue), n, b FROM unnest(\(blocks.map { ByteBuffer(bytes: $0) })::bytea[]) WITH ORDINALITY AS t(b, n)
                """, logger: Self.logger)
            try await client.query(
                "INSERT INTO statusd_meta (key, value) VALUES ('secret:session', \(String(repeating: "5a", count: 32)))",
                logger: Self.logger)
            try await ClusterNames(client: client, logger: Self.logger).claim(
                [OrgName(.slug, "golden"), OrgName(.domain, "status.golden.example")], for: Self.org)
            let capture = SnapshotCapture(
                replayFrom: LogPosition(5), logEnd: LogPosition(5), directory: DirectoryState(), organizations: [state])
            try await client.query(
                """
                INSERT INTO statusd_snapshots (position, node, snapshot) \
                VALUES (5, 'golden:1', \(ByteBuffer(bytes: try SnapshotStore.encode(capture))))
                """, logger: Self.logger)
            try await client.query(
                "UPDATE statusd_meta SET value = '5' WHERE key = 'pruned_before'", logger: Self.logger)
            try await client.query(
                "INSERT INTO statusd_leases (name, node, until) VALUES ('leader', 'golden:1', '2026-12-03T00:00:10Z')",
                logger: Self.logger)
            try await client.query(
                """
                INSERT INTO statusd_nodes (node, address, version, epoch, position, lag_seconds, leader, seen_at) \
                VALUES ('golden:1', '127.0.0.1:8080', '0.3.0', 'golden-epoch', 4, 0.25, true, '2026-12-03T00:00:00Z')
                """, logger: Self.logger)
            _ = try await ClusterKeyUsage(client: client, logger: Self.logger).share([
                Self.key: Date(timeIntervalSince1970: 1_795_000_000)
            ])
        }
        var lines = [
            "# statusd log on PostgreSQL, schema version 3: the tables nodes share besides the events, a row per line: table, then its columns (bytea in hex)"
        ]
        for table in tables {
            let columns = table.columns.map { column in
                table.bytea.contains(column)
                    ? "encode(\(column), 'hex')"
                    : (column.hasSuffix("_at") || column == "until" || column == "last_used"
                        ? "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                        : "\(column)::text")
            }
            let filter = table.name == "statusd_meta" ? " WHERE key IN ('secret:session', 'pruned_before')" : ""
            let rows = try server.psql(
                "SELECT '\(table.name)' || E'\\t' || concat_ws(E'\\t', \(columns.joined(separator: ", "))) FROM \(table.name)\(filter) ORDER BY 1"
            )
            lines += rows.split(separator: "\n").map(String.init)
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
    }
}
