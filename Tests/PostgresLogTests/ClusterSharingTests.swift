import Engine
import Foundation
import Logging
import Persistence
import PostgresNIO
import TestSupport
import Testing

@testable import PostgresLog

/// What the nodes of a cluster share besides the events (schema version 3): names claimed across
/// nodes, so that two registries that do not see each other's organizations never let two take one
/// slug or domain; and the leader's shared snapshots, behind which it removes events, and from which
/// a node starts when its own snapshot is older than what the log keeps.
@Suite(.serialized) struct ClusterSharingTests {
    static let logger = PostgresEventLogTests.logger

    static func registry(_ nodes: PostgresEventLogTests.Nodes, _ node: String) throws -> Registry {
        Registry(
            log: try nodes.log(node, retryFor: .seconds(30)),
            claims: ClusterNames(client: nodes.client, logger: logger))
    }

    static func conflictField(_ body: () async throws -> Commit) async -> String? {
        do {
            _ = try await body()
            return nil
        } catch let error as EngineError where error.code == .conflict {
            return error.field ?? "?"
        } catch {
            return "unexpected: \(error)"
        }
    }

    @Test func aSlugCreatedOnTwoNodesAtOnce_isTakenByOne() async throws {
        let server = try await TemporaryPostgres.started()
        try await PostgresEventLogTests.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            // Neither follows the log: only the claims can tell them apart.
            let (a, b) = (try Self.registry(nodes, "a"), try Self.registry(nodes, "b"))
            let owner = AccountID.random()
            let outcomes = await withTaskGroup(of: (String, String?).self) { group in
                for index in 0..<20 {
                    for registry in [a, b] {
                        let slug = "page-\(index)"
                        group.addTask {
                            (
                                slug,
                                await Self.conflictField {
                                    try await registry.createOrganization(
                                        slug: slug, name: "Page", timeZone: "UTC", owner: owner)
                                }
                            )
                        }
                    }
                }
                return await group.reduce(into: [String: [String?]]()) { $0[$1.0, default: []].append($1.1) }
            }
            for (slug, results) in outcomes {
                #expect(results.filter { $0 == nil }.count == 1, "\(slug) created once: \(results)")
                #expect(results.contains("slug"), "the other creation is a conflict on slug: \(results)")
            }
            let held = try await client.query(
                "SELECT count(*) FROM statusd_names WHERE kind = 'slug'", logger: Self.logger
            )
            .collect().first?.decode(Int64.self)
            #expect(held == 20, "one claim per organization, none left by the losers")
        }
    }

    @Test func aNameLetGo_isFreeOnAnotherNode_andOneTakenIsNot() async throws {
        let server = try await TemporaryPostgres.started()
        try await PostgresEventLogTests.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let (a, b) = (try Self.registry(nodes, "a"), try Self.registry(nodes, "b"))
            let owner = AccountID.random()
            _ = try await a.createOrganization(slug: "first", name: "First", timeZone: "UTC", owner: owner)
            let first = try #require(a.organization(slug: "first"))
            _ = try await b.createOrganization(slug: "other", name: "Other", timeZone: "UTC", owner: owner)
            let other = try #require(b.organization(slug: "other"))
            let rename = OrgCommand.updateOrganization(OrgPatch(slug: "renamed", customDomain: "status.first.example"))
            _ = try await a.submit(rename, to: first, by: .account(owner))

            // B's index has never seen A's organization; the claims answer for it.
            #expect(
                await Self.conflictField {
                    try await b.submit(.updateOrganization(OrgPatch(slug: "renamed")), to: other, by: .account(owner))
                } == "slug")
            #expect(
                await Self.conflictField {
                    try await b.submit(
                        .updateOrganization(OrgPatch(customDomain: "STATUS.first.example")), to: other,
                        by: .account(owner))
                } == "custom_domain", "domains compare lowercased")
            // The slug A let go of is free.
            #expect(
                await Self.conflictField {
                    try await b.submit(.updateOrganization(OrgPatch(slug: "first")), to: other, by: .account(owner))
                } == nil)
            // A write refused by its own rules gives back what it claimed.
            #expect(
                await Self.conflictField {
                    try await a.submit(
                        .updateOrganization(OrgPatch(slug: "wanted", timeZone: "Not/AZone")), to: first,
                        by: .account(owner))
                } != nil)
            #expect(
                await Self.conflictField {
                    try await b.submit(.updateOrganization(OrgPatch(slug: "wanted")), to: other, by: .account(owner))
                } == nil, "the refused write's claim was given back")
            // A deleted organization's names are free.
            _ = try await a.submit(.deleteOrganization, to: first, by: .account(owner))
            let names = try await client.query(
                "SELECT kind || ':' || name FROM statusd_names ORDER BY 1", logger: Self.logger
            ).collect().map { try $0.decode(String.self) }
            #expect(names == ["slug:wanted"], "only the names held: \(names)")
        }
    }

    @Test func theLeadersPass_claimsNamesHeldWithoutOne_andRemovesStaleClaims() async throws {
        let server = try await TemporaryPostgres.started()
        try await PostgresEventLogTests.withClient(server) { client, _ in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let names = ClusterNames(client: client, logger: Self.logger)
            let (held, gone) = (OrgID.random(), OrgID.random())
            try await client.query(
                """
                INSERT INTO statusd_names (kind, name, org, claimed_at) VALUES \
                ('slug', 'killed-mid-write', \(gone.rawValue), now() - interval '1 hour'), \
                ('slug', 'in-flight', \(gone.rawValue), now())
                """, logger: Self.logger)
            let (added, removed) = try await names.reconcile(held: [
                held: [OrgName(.slug, "from-before-v3"), OrgName(.domain, "Status.Example.com")]
            ])
            #expect(added == 2 && removed == 1)
            let rows = try await client.query(
                "SELECT kind || ':' || name FROM statusd_names ORDER BY 1", logger: Self.logger
            )
            .collect().map { try $0.decode(String.self) }
            #expect(rows == ["domain:status.example.com", "slug:from-before-v3", "slug:in-flight"], "\(rows)")
        }
    }

    static func capture(_ position: UInt64) -> SnapshotCapture {
        SnapshotCapture(
            replayFrom: LogPosition(position), logEnd: LogPosition(position), directory: DirectoryState(),
            organizations: [])
    }

    static func count(_ client: PostgresClient, _ sql: String) async throws -> Int64 {
        try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect().first?.decode(Int64.self) ?? -1
    }

    @Test func sharedSnapshots_keepTwo_removeTheEventsBehindTheOlder_andNodesStartFromThem() async throws {
        let server = try await TemporaryPostgres.started()
        try await PostgresEventLogTests.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let log = try nodes.log("a")
            for batch in 0..<10 {
                _ = try await log.append(
                    PostgresEventLogTests.records(PostgresEventLogTests.org, from: UInt64(batch * 10 + 1), count: 10))
            }
            let shared = SharedSnapshots(client: client, logger: Self.logger)
            let writer = BoundedConnection(
                configuration: try PostgresURL(server.url).connectionConfiguration(connectTimeout: .seconds(2)),
                logger: Self.logger)
            defer { Task { await writer.close() } }
            // A node that reported itself at position 39 lately holds the removal there.
            try await client.query(
                """
                INSERT INTO statusd_nodes (node, address, version, epoch, position, lag_seconds, leader, seen_at) \
                VALUES ('slow', '127.0.0.1:1', 'test', 'e', 39, 0, false, now())
                """, logger: Self.logger)
            let one = try await shared.store(
                try SnapshotStore.encode(Self.capture(51)), replayFrom: LogPosition(51), node: "a", writer: writer)
            #expect(one.pruned == 0, "one shared snapshot: nothing is removed")
            let two = try await shared.store(
                try SnapshotStore.encode(Self.capture(81)), replayFrom: LogPosition(81), node: "a", writer: writer)
            #expect(two.prunedBefore == 40, "not past the node that trails")
            try await client.query("DELETE FROM statusd_nodes", logger: Self.logger)
            let three = try await shared.store(
                try SnapshotStore.encode(Self.capture(91)), replayFrom: LogPosition(91), node: "a", writer: writer)
            #expect(three.prunedBefore == 81 && three.pruned == 41, "behind the older of the two kept: \(three)")
            #expect(try await Self.count(client, "SELECT count(*) FROM statusd_snapshots") == 2)
            #expect(try await Self.count(client, "SELECT min(position) FROM statusd_events") == 81)
            #expect(try await Self.count(client, "SELECT count(*) FROM statusd_events") == 20)

            // Where a node starts: its own snapshot while the log holds what follows it and the
            // cluster has none newer; else the cluster's newest.
            let start = { (own: UInt64?) in
                try await ClusterNode.startingSnapshot(own: own.map(Self.capture), client, logger: Self.logger)?
                    .replayFrom.rawValue
            }
            #expect(try await start(nil) == 91)
            #expect(try await start(30) == 91, "older than what the log keeps")
            #expect(try await start(85) == 91, "the shared one is newer")
            #expect(try await start(95) == 95)
        }
    }

    @Test func keysLastUse_sharedByTwoNodes_keepsTheLater_andForgetsRevokedKeysOnceQuiet() async throws {
        let server = try await TemporaryPostgres.started()
        try await PostgresEventLogTests.withClient(server) { client, _ in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let usage = ClusterKeyUsage(client: client, logger: Self.logger)
            let (kept, revoked) = (KeyID.random(), KeyID.random())
            let (earlier, later) = (
                Date(timeIntervalSince1970: 1_790_000_000), Date(timeIntervalSince1970: 1_790_000_060)
            )
            _ = try await usage.share([kept: later])
            let seen = try await usage.share([kept: earlier, revoked: earlier])
            #expect(seen == [kept: later, revoked: earlier], "the later use wins, whichever node says it last")
            #expect(try await usage.share([:]) == seen, "a node with nothing new reads everyone's")
            #expect(try await usage.forget(keysOtherThan: [kept]) == 1)
            #expect(try await usage.share([:]) == [kept: later])
            let recent = KeyID.random()
            _ = try await usage.share([recent: Date()])
            #expect(
                try await usage.forget(keysOtherThan: [kept]) == 0, "a key used lately may be one made a moment ago")
        }
    }
}
