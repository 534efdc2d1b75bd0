import Engine
import Foundation
import Logging
import NIOCore
import Persistence
import PostgresNIO
import Synchronization
import TestSupport
import Testing

@testable import PostgresLog

/// The event log on a real PostgreSQL (`TemporaryPostgres`): the schema made once and a newer one
/// refused by name; appends in batches that read back in order, positions without gaps under
/// concurrent writers; a stream that moved refuses the append, and every append queued on top of it;
/// a retried command lands once; a batch whose commit fails is not acknowledged; an unreadable record
/// is named, never skipped; an unreachable log answers unavailable in bounded time and serves again
/// once back.
@Suite(.serialized) struct PostgresEventLogTests {
    static let logger = Logger(label: "test")

    /// The logs a test makes ("nodes"), each closed when the test's client ends, whether it passed.
    final class Nodes: @unchecked Sendable {
        let client: PostgresClient
        let server: TemporaryPostgres
        private let made = Mutex<[PostgresEventLog]>([])

        init(client: PostgresClient, server: TemporaryPostgres) {
            self.client = client
            self.server = server
        }

        /// - Parameter retryFor: how long a batch is retried before the log counts as unreachable: short
        ///   only where a test makes the outage itself; long everywhere else, because a server that
        ///   answers slowly while the whole suite runs (the first connection to a fresh server took over
        ///   2 s in CI) is not an outage, and a test that is not about one must not fail as if it were.
        func log(_ node: String = "a", retryFor: Duration = .seconds(60)) throws -> PostgresEventLog {
            let log = PostgresEventLog(
                client: client,
                writer: try PostgresURL(server.url).connectionConfiguration(connectTimeout: .seconds(2)),
                node: node, next: LogPosition(1), retryFor: retryFor, logger: PostgresEventLogTests.logger)
            made.withLock { $0.append(log) }
            return log
        }

        func close() async {
            for log in made.withLock({ $0 }) { await log.shutDown() }
        }
    }

    /// A running client on `server`, and the logs made on it, closed when `body` ends.
    static func withClient<T: Sendable>(
        _ server: TemporaryPostgres, _ body: @Sendable (PostgresClient, Nodes) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(
            configuration: try PostgresURL(server.url).clientConfiguration, backgroundLogger: logger)
        let nodes = Nodes(client: client, server: server)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            do {
                let result = try await body(client, nodes)
                await nodes.close()
                return result
            } catch {
                await nodes.close()
                throw error
            }
        }
    }

    /// How long the tests that make an outage let a batch be retried: they wait this long for the refusal.
    static let outageRetry = Duration.seconds(5)

    static let org = OrgID("org_" + String(repeating: "1", count: 20))!
    static let other = OrgID("org_" + String(repeating: "2", count: 20))!

    /// `count` service-created events of `org`, seq `from` onwards.
    static func records(_ org: OrgID, from: UInt64, count: Int) -> [LogRecord] {
        (0..<count).map { index in
            let at = Date(timeIntervalSince1970: 1_800_000_000)
            let service = Service(
                id: .random(), name: "service \(from + UInt64(index))", description: "", status: .operational,
                statusReason: .created, groupID: nil, position: index, createdAt: at, updatedAt: at)
            return .organization(
                org, OrgEvent(seq: Seq(from + UInt64(index)), at: at, by: .system, change: .serviceCreated(service)))
        }
    }

    static func all(_ log: PostgresEventLog) async throws -> [(LogPosition, LogRecord)] {
        try await log.records(from: LogPosition(1), limit: 100_000)
    }

    @Test func schema_isMadeOnce_andANewerOneIsRefusedByName() async throws {
        let server = try await TemporaryPostgres.started()
        try await Self.withClient(server) { client, nodes in
            await #expect(throws: LogSchema.Refusal.self) {
                try await LogSchema.prepare(client, create: false, logger: Self.logger)
            }
            async let first = LogSchema.prepare(client, create: true, logger: Self.logger)
            async let second = LogSchema.prepare(client, create: true, logger: Self.logger)
            let (a, b) = try await (first, second)
            #expect(a == b && a.version == LogSchema.version && !a.epoch.isEmpty, "two nodes at once make one schema")
        }
        try server.psql("UPDATE statusd_meta SET value = '\(LogSchema.version + 1)' WHERE key = 'schema_version'")
        try await Self.withClient(server) { client, nodes in
            do {
                _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
                Issue.record("a newer schema was accepted")
            } catch let refusal as LogSchema.Refusal {
                #expect(
                    refusal.description.contains(
                        "version \(LogSchema.version + 1), newer than this statusd reads (\(LogSchema.version))"),
                    "\(refusal)")
            }
        }
    }

    /// A log made by a statusd of schema version 1 (its file, run as that statusd ran it) is upgraded in
    /// place, through every later version: its events and epoch stay, the tables of versions 2 and 3
    /// are there.
    @Test func aVersion1Log_isUpgraded_keepingItsEventsAndEpoch() async throws {
        let server = try await TemporaryPostgres.started()
        for statement in LogSchema.statements(LogSchema.schemaSQL[0]) { try server.psql(statement) }
        try server.psql(
            "INSERT INTO statusd_meta (key, value) VALUES ('schema_version', '1'), ('epoch', 'made-by-version-1')")
        try await Self.withClient(server) { client, nodes in
            let log = try nodes.log()
            _ = try await log.append(Self.records(Self.org, from: 1, count: 1), isolation: #isolation)
            async let first = LogSchema.prepare(client, create: true, logger: Self.logger)
            async let second = LogSchema.prepare(client, create: true, logger: Self.logger)
            let (a, b) = try await (first, second)
            #expect(
                a == b && a.version == LogSchema.version && a.epoch == "made-by-version-1", "upgraded once, epoch kept")
            #expect(try await Self.all(log).count == 1, "the events stay")
        }
        #expect(
            try server.psql("SELECT count(*) FROM statusd_archive").trimmingCharacters(in: .whitespacesAndNewlines)
                == "0")
        #expect(
            try server.psql("SELECT count(*) FROM statusd_leases").trimmingCharacters(in: .whitespacesAndNewlines)
                == "0")
        #expect(
            try server.psql("SELECT count(*) FROM statusd_names").trimmingCharacters(in: .whitespacesAndNewlines)
                == "0")
        #expect(
            try server.psql("SELECT value FROM statusd_meta WHERE key = 'pruned_before'")
                .trimmingCharacters(in: .whitespacesAndNewlines) == "1", "no event removed")
    }

    @Test func appends_readBackInOrder_withPositionsWithoutGaps() async throws {
        let server = try await TemporaryPostgres.started()
        try await Self.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let log = try nodes.log()
            let written = Self.records(Self.org, from: 1, count: 3) + Self.records(Self.org, from: 4, count: 2)
            let end = try await log.append(Array(written[0..<3]), isolation: #isolation)
            #expect(end == LogPosition(4), "the position after the three events")
            _ = try await log.append(Array(written[3...]), isolation: #isolation)
            let read = try await Self.all(log)
            #expect(read.map(\.0.rawValue) == [1, 2, 3, 4, 5])
            #expect(read.map(\.1) == written)
            // A snapshot replays from what the node's follower applied, whoever wrote it, not from
            // after the node's own appends (others' events before them may not be applied yet).
            #expect(log.appendPosition == LogPosition(1))
            log.following.applied(through: LogPosition(6))
            #expect(log.appendPosition == LogPosition(6))
        }
    }

    /// Two nodes, many streams, appending at once: every position from 1 to the end exactly once, each
    /// stream's seq in order with no gap, every acknowledged append present.
    @Test func concurrentWriters_fromTwoNodes_leaveOneGaplessOrder() async throws {
        let server = try await TemporaryPostgres.started()
        let streams = (0..<16).map { OrgID("org_" + String(format: "%020d", $0 + 100))! }
        try await Self.withClient(server) { clientA, nodesA in
            try await Self.withClient(server) { clientB, nodesB in
                _ = try await LogSchema.prepare(clientA, create: true, logger: Self.logger)
                let logs = [try nodesA.log("a"), try nodesB.log("b")]
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, org) in streams.enumerated() {
                        group.addTask {
                            let log = logs[index % 2]
                            for step in 0..<20 {
                                _ = try await log.append(
                                    Self.records(org, from: UInt64(step * 2 + 1), count: 2), isolation: nil)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let read = try await Self.all(logs[0])
                #expect(read.map(\.0.rawValue) == Array(1...UInt64(16 * 40)), "positions 1...640, each once")
                for org in streams {
                    let seqs = read.filter { $0.1.stream == .organization(org) }.map(\.1.seq.rawValue)
                    #expect(seqs == Array(1...40), "\(org): seq 1...40 in position order")
                }
            }
        }
    }

    /// Whether `body` returned rather than threw.
    static func succeeds(_ body: () async throws -> LogPosition) async -> Bool {
        (try? await body()) != nil
    }

    @Test func aStreamThatMoved_refusesTheAppend_andEveryAppendQueuedOnTopOfIt() async throws {
        let server = try await TemporaryPostgres.started()
        try await Self.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let nodeA = try nodes.log("a")
            let nodeB = try nodes.log("b")
            _ = try await nodeA.append(Self.records(Self.org, from: 1, count: 1), isolation: #isolation)
            func waitingLocks() async throws -> Int {
                try await client.query("SELECT count(*) FROM pg_locks WHERE NOT granted", logger: Self.logger)
                    .collect().first?.decode(Int.self) ?? 0
            }
            // The test holds the log head's lock, so that node B's append of seq 2 waits first in line,
            // node A's (also seq 2, decided on seq 1) second, and A's seq 3, decided on top of its own
            // seq 2, gathers for A's next batch meanwhile.
            try await client.withConnection { holder in
                try await holder.query("BEGIN", logger: Self.logger)
                try await holder.query("SELECT * FROM statusd_log_head FOR UPDATE", logger: Self.logger)
                async let byB = Self.succeeds {
                    try await nodeB.append(Self.records(Self.org, from: 2, count: 1), isolation: nil)
                }
                try #require(await eventually("B waits for the lock", within: 10) { try await waitingLocks() == 1 })
                async let byA = Self.succeeds {
                    try await nodeA.append(Self.records(Self.org, from: 2, count: 1), isolation: nil)
                }
                try #require(await eventually("A waits for the lock", within: 10) { try await waitingLocks() == 2 })
                async let onTop = Self.succeeds {
                    try await nodeA.append(Self.records(Self.org, from: 3, count: 1), isolation: nil)
                }
                try #require(await eventually("A's next append is queued", within: 10) { nodeA.waitingAppends == 1 })
                try await holder.query("COMMIT", logger: Self.logger)
                let (b, a, top) = await (byB, byA, onTop)
                #expect(b && !a && !top, "B's seq 2 lands; A's seq 2 and the seq 3 on top of it are refused")
            }
            let seqs = try await Self.all(nodeA).map(\.1.seq.rawValue)
            #expect(seqs == [1, 2], "A's seq 3 matched the head by number but was decided on a refused append")
            do {
                _ = try await nodeA.append(Self.records(Self.org, from: 2, count: 1), isolation: #isolation)
                Issue.record("an append landed on a fenced stream")
            } catch let refusal as AppendRefused {
                #expect(refusal.reason == .conflict, "fenced until A says it has set its state back")
            }
            nodeA.resume(.organization(Self.org))
            do {
                _ = try await nodeA.append(Self.records(Self.org, from: 2, count: 1), isolation: #isolation)
                Issue.record("an append on a moved stream landed")
            } catch let refusal as AppendRefused {
                #expect(refusal.reason == .conflict && refusal.detail.contains("seq 2"), "says where the stream is")
            }
            #expect(
                await Self.succeeds {
                    try await nodeA.append(Self.records(Self.other, from: 1, count: 1), isolation: #isolation)
                }, "other streams go on")
        }
    }

    @Test func aCommandRetried_landsOnce() async throws {
        let server = try await TemporaryPostgres.started()
        try await Self.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let record = LogRecordCodec.encode(Self.records(Self.org, from: 1, count: 1)[0])
            let stream = Self.org.description
            for expected in ["appended", "duplicate"] {
                let rows = try await client.query(
                    "SELECT outcome FROM statusd_append('a', \([stream]), \([Int64(0)]), \([Int32(1)]), \(["cmd-1"]), \([record]))",
                    logger: Self.logger)
                let outcome = try await rows.collect().first?.decode(String.self)
                #expect(outcome == expected)
            }
            #expect(try await Self.all(try nodes.log()).count == 1)
        }
    }

    /// One append as `statusd_append` takes it.
    typealias Append = (stream: String, expected: Int64, count: Int32, command: String)

    /// `statusd_append` decides a batch's outcomes set-based, in one statement; this is what they must
    /// come to, one append after the other: an append that landed before (its command on the seqs it
    /// expected) is a duplicate answering its last position; a stream whose seq is not the one
    /// expected, or that refused an earlier append of the batch, refuses; otherwise the records take
    /// the next positions.
    struct AppendModel {
        var heads: [String: Int64] = [:]
        var events: [String] = []  // "position stream seq"
        var lastEvents: [String: Int64] = [:]  // "stream seq command" of each append's last event: its position

        mutating func append(_ batch: [Append]) -> [String] {
            var refused: Set<String> = []
            return batch.map { append in
                let head = heads[append.stream, default: 0]
                let last = "\(append.stream) \(append.expected + Int64(append.count)) \(append.command)"
                if let position = lastEvents[last] { return "duplicate \(head) \(position)" }
                if refused.contains(append.stream) || head != append.expected {
                    refused.insert(append.stream)
                    return "conflict \(head) nil"
                }
                for seq in head + 1...head + Int64(append.count) {
                    events.append("\(events.count + 1) \(append.stream) \(seq)")
                }
                heads[append.stream] = head + Int64(append.count)
                lastEvents[last] = Int64(events.count)
                return "appended \(head + Int64(append.count)) \(events.count)"
            }
        }
    }

    @Test func randomBatches_haveTheOutcomesOfOneAppendAfterTheOther() async throws {
        let server = try await TemporaryPostgres.started()
        try await Self.withClient(server) { client, _ in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            var model = AppendModel()
            var random = SplitMix64(state: 20)
            let streams = ["directory", Self.org.description, Self.other.description]
            var sent: [Append] = []
            var seen: [Substring: Int] = [:]  // answers by outcome
            for batchNumber in 0..<300 {
                var batch: [Append] = []
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    let stream = streams.randomElement(using: &random)!
                    // Now and then an append sent before, again (a batch retried after a lost answer),
                    // or one of its commands with a new seq.
                    let earlier = sent.filter { old in
                        old.stream == stream && !batch.contains { $0.command == old.command }
                    }
                    if let again = earlier.randomElement(using: &random), Int.random(in: 0..<5, using: &random) == 0 {
                        batch.append(again)
                        continue
                    }
                    // What the writer read, plus its own appends earlier in this batch; now and then
                    // another writer got there first, or this one is behind.
                    var expected = batch.filter { $0.stream == stream }.reduce(model.heads[stream, default: 0]) {
                        $0 + Int64($1.count)
                    }
                    if Int.random(in: 0..<8, using: &random) == 0 { expected += Bool.random(using: &random) ? 1 : -1 }
                    let command =
                        Int.random(in: 0..<20, using: &random) == 0 && !earlier.isEmpty
                        ? earlier.randomElement(using: &random)!.command : "cmd-\(batchNumber)-\(batch.count)"
                    batch.append((stream, expected, Int32.random(in: 1...3, using: &random), command))
                }
                sent += batch
                let records = batch.flatMap { append in
                    (0..<append.count).map { _ in ByteBuffer(bytes: [UInt8(batchNumber % 256)]) }
                }
                let rows = try await client.query(
                    """
                    SELECT outcome, head, last_position FROM statusd_append('a', \(batch.map(\.stream)), \
                    \(batch.map(\.expected)), \(batch.map(\.count)), \(batch.map(\.command)), \(records))
                    """, logger: Self.logger
                ).collect()
                let answered = try rows.map { row in
                    let (outcome, head, last) = try row.decode((String, Int64, Int64?).self)
                    return "\(outcome) \(head) \(last.map(String.init) ?? "nil")"
                }
                let expected = model.append(batch)
                for answer in answered { seen[answer.split(separator: " ")[0], default: 0] += 1 }
                guard answered == expected else {
                    Issue.record("batch \(batchNumber) \(batch): answered \(answered), one after the other \(expected)")
                    return
                }
            }
            let written = try await client.query(
                "SELECT position, stream, seq FROM statusd_events ORDER BY position", logger: Self.logger
            ).collect().map { row in
                let (position, stream, seq) = try row.decode((Int64, String, Int64).self)
                return "\(position) \(stream) \(seq)"
            }
            #expect(written == model.events)
            let heads = try await client.query("SELECT stream, seq FROM statusd_stream_heads", logger: Self.logger)
                .collect().map { try $0.decode((String, Int64).self) }
            #expect(Dictionary(uniqueKeysWithValues: heads) == model.heads.filter { $0.value > 0 })
            #expect(seen.keys.sorted() == ["appended", "conflict", "duplicate"] && seen.values.min()! > 20, "\(seen)")
            // A command twice in one batch is the caller's mistake: refused whole, nothing written.
            let stream = Self.org.description
            await #expect(throws: PSQLError.self) {
                try await client.query(
                    """
                    SELECT outcome FROM statusd_append('a', \([stream, stream]), \([model.heads[stream]!, model.heads[stream]! + 1]), \
                    \([Int32(1), Int32(1)]), \(["twice", "twice"]), \([ByteBuffer(bytes: [1]), ByteBuffer(bytes: [2])]))
                    """, logger: Self.logger
                ).collect()
            }
            #expect(
                try await client.query("SELECT count(*) FROM statusd_events", logger: Self.logger).collect()
                    .first?.decode(Int64.self) == Int64(model.events.count))
        }
    }

    /// The batch's answer comes before its commit: a commit refused after `statusd_append` answered
    /// (here by a deferred trigger; in production a connection lost at that moment) must not be
    /// acknowledged. In autocommit postgres-nio hands the rows back at CommandComplete, before the
    /// implicit transaction commits, and this append returned `appended` for an event never written.
    @Test func aBatchWhoseCommitFails_isNotAcknowledged() async throws {
        let server = try await TemporaryPostgres.started()
        try await Self.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let log = try nodes.log(retryFor: Self.outageRetry)
            _ = try await log.append(Self.records(Self.org, from: 1, count: 1), isolation: #isolation)
            try server.psql(
                """
                CREATE TABLE refuse_commits (id int);
                INSERT INTO refuse_commits VALUES (1);
                CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM refuse_commits) THEN RAISE EXCEPTION 'refused at commit'; END IF;
                    RETURN NULL;
                END $$;
                CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON statusd_events
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_commit();
                """)
            do {
                _ = try await log.append(Self.records(Self.org, from: 2, count: 1), isolation: #isolation)
                Issue.record("an append whose commit failed was acknowledged")
            } catch let refusal as AppendRefused {
                #expect(refusal.reason == .unavailable, "\(refusal)")
            }
            #expect(try await Self.all(log).map(\.1.seq.rawValue) == [1], "the log has what was acknowledged")
            try server.psql("DELETE FROM refuse_commits")
            _ = try await log.append(Self.records(Self.org, from: 2, count: 1), isolation: #isolation)
            #expect(try await Self.all(log).map(\.1.seq.rawValue) == [1, 2])
        }
    }

    @Test func aRecordOfANewerVersion_isNamed_neverSkipped() async throws {
        let server = try await TemporaryPostgres.started()
        try await Self.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let log = try nodes.log()
            _ = try await log.append(Self.records(Self.org, from: 1, count: 2), isolation: #isolation)
            // The version byte (after the u32 length and the u8 type) of the second record set to 9.
            try server.psql("UPDATE statusd_events SET record = set_byte(record, 5, 9) WHERE position = 2")
            do {
                _ = try await Self.all(log)
                Issue.record("a record of version 9 was read")
            } catch let error as PostgresLogError {
                #expect(
                    error.description.contains("position 2") && error.description.contains("version 9"), "\(error)")
            }
        }
    }

    @Test func anUnreachableLog_answersUnavailableInBoundedTime_andServesOnceBack() async throws {
        let server = try await TemporaryPostgres.started()
        try await Self.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: Self.logger)
            let log = try nodes.log(retryFor: Self.outageRetry)
            _ = try await log.append(Self.records(Self.org, from: 1, count: 1), isolation: #isolation)
            try await OffThePool.run { server.stop(immediate: true) }
            do {
                _ = try await log.append(Self.records(Self.org, from: 2, count: 1), isolation: #isolation)
                Issue.record("an append landed on a stopped server")
            } catch let refusal as AppendRefused {
                #expect(refusal.reason == .unavailable, "\(refusal)")
            }
            try await OffThePool.run { try server.start() }
            _ = try await log.append(Self.records(Self.org, from: 2, count: 1), isolation: #isolation)
            #expect(try await Self.all(log).map(\.1.seq.rawValue) == [1, 2], "nothing lost, nothing twice")
        }
    }
}
