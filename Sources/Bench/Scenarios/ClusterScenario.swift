import ArgumentParser
import Engine
import Foundation
import Logging
import Persistence
import PostgresLog
import PostgresNIO

/// `statusbench cluster`: durable commands per second through the engine and the event log on
/// PostgreSQL, per count of writers and organizations, on one node and on two (two logs, each its own
/// connection and batches, in this process), beside the local WAL under `always` and pgbench's
/// one-row INSERT transactions on the same server, in the same run. The database comes from
/// `STATUSD_BENCH_POSTGRES_URL` (or `STATUSD_TEST_POSTGRES_URL`, which scripts/with-postgres.sh sets).
struct ClusterScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Durable commands/s on the log on PostgreSQL, beside the WAL (always) and pgbench.")

    @Option(help: "Comma-separated counts of concurrent writers.")
    var writers = "1,16,256"

    @Option(help: "Comma-separated counts of organizations the writers spread over (at most one per writer).")
    var organizations = "1,256"

    @Option(help: "Comma-separated counts of nodes (logs) sharing the writers: 1, 2.")
    var nodes = "1,2"

    @Option(help: "Comma-separated pgbench client counts.")
    var pgbenchClients = "8,256"

    @Option(help: "Seconds per run.")
    var duration = 5.0

    @Flag(help: "Run each node's follower of the log (LISTEN and poll), as a statusd node does.")
    var follow = false

    @Option(help: "Directory for the WAL's scratch data directories.")
    var scratch = FileManager.default.temporaryDirectory.path

    @Option(help: "Directory for cluster.jsonl and cluster.md.")
    var output = "bench-results"

    mutating func validate() throws {
        try CountList.validate(writers, option: "--writers", range: 1...400)
        try CountList.validate(organizations, option: "--organizations", range: 1...400)
        try CountList.validate(nodes, option: "--nodes", range: 1...2)
        try CountList.validate(pgbenchClients, option: "--pgbench-clients", range: 1...280)
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be in (0, 600] seconds") }
    }

    func run() async throws {
        let environment = BenchEnvironment.current()
        let variables = ProcessInfo.processInfo.environment
        guard let text = variables["STATUSD_BENCH_POSTGRES_URL"] ?? variables["STATUSD_TEST_POSTGRES_URL"] else {
            throw ValidationError("set STATUSD_BENCH_POSTGRES_URL (or run under scripts/with-postgres.sh)")
        }
        let url = try PostgresURL(text)
        var results: [BenchResult] = []
        for clients in CountList.parse(pgbenchClients) {
            let tps = try pgbench(url, clients: clients)
            print("pgbench clients=\(clients): \(ResultTable.format(tps)) one-row INSERT transactions/s")
            results.append(
                BenchResult(
                    scenario: "cluster", parameters: ["log": "pgbench", "writers": "\(clients)"], opsPerSecond: tps,
                    p50Micros: 0, p99Micros: 0, p999Micros: 0, extra: [:], environment: environment))
        }
        for organizationCount in CountList.parse(organizations) {
            for count in CountList.parse(writers) {
                let spread = min(organizationCount, count)
                var wal = try WALScenario.parse(["--organizations", "\(spread)", "--scratch", scratch])
                wal.duration = duration
                let walResult = try await wal.measure(
                    policy: "always", writers: count, raw: 0, environment: environment)
                print(
                    "wal always writers=\(count) organizations=\(spread): \(ResultTable.format(walResult.opsPerSecond)) commands/s"
                )
                results.append(walResult)
                for nodeCount in CountList.parse(nodes) {
                    let result = try await measure(
                        url, writers: count, organizations: spread, nodes: nodeCount, environment: environment)
                    print(
                        "postgresql nodes=\(nodeCount) writers=\(count) organizations=\(spread): \(ResultTable.format(result.opsPerSecond)) commands/s, p50 \(result.p50Micros) µs, p99 \(result.p99Micros) µs, \(ResultTable.format(result.extra["records_per_batch"] ?? 0)) events/batch"
                    )
                    results.append(result)
                }
            }
        }
        try write(results)
    }

    /// `writers` flipping services on fresh organizations, split over `nodes` logs.
    private func measure(
        _ url: PostgresURL, writers count: Int, organizations: Int, nodes: Int, environment: BenchEnvironment
    ) async throws -> BenchResult {
        let logger = Logger(label: "bench")
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        let identity = try await LogSchema.prepare(client, create: true, logger: logger)
        var logs: [PostgresEventLog] = []
        var targets: [[(OrgActor, ServiceID)]] = []
        var registries: [Registry] = []
        for node in 0..<nodes {
            let log = PostgresEventLog(
                client: client, writer: try url.connectionConfiguration(connectTimeout: .seconds(2)),
                node: "bench-\(node)", next: LogPosition(1), logger: logger)
            logs.append(log)
            let share = count / nodes + (node < count % nodes ? 1 : 0)
            let registry = Registry(log: log)
            registries.append(registry)
            targets.append(
                try await BenchTargets.make(
                    registry: registry, writers: share, organizations: max(1, min(share, organizations / nodes))))
        }
        // Started after the set-up, from the log's end: what it then reads is the run's own writes
        // (and, with two nodes, the other node's).
        var following: [Task<Void, any Error>] = []
        if follow {
            let from = logs.map(\.appendPosition).max() ?? LogPosition(1)
            for (log, registry) in zip(logs, registries) {
                log.following.applied(through: from)
                let follower = LogFollower(
                    log: log, listener: try url.connectionConfiguration(connectTimeout: .seconds(2)),
                    epoch: identity.epoch, registry: registry, directory: Directory(log: log), logger: logger)
                following.append(Task { try await follower.run() })
            }
        }
        let before = logs.map(\.report)
        let deadline = ContinuousClock.now + .seconds(duration)
        let start = ContinuousClock.now
        let progress = ProgressLine(label: "postgresql nodes=\(nodes) writers=\(count)", total: duration)
        let latency = try await BenchTargets.flipAll(targets.flatMap { $0 }, until: deadline, progress: progress)
        let elapsed = (ContinuousClock.now - start).seconds
        let after = logs.map(\.report)
        for task in following {
            task.cancel()
            try await task.value
        }
        for log in logs { await log.shutDown() }
        let batches = zip(before, after).reduce(0) { $0 + $1.1.batches - $1.0.batches }
        let records = zip(before, after).reduce(0) { $0 + $1.1.records - $1.0.records }
        return BenchResult(
            scenario: "cluster",
            parameters: [
                "log": "postgresql", "nodes": "\(nodes)", "writers": "\(count)", "organizations": "\(organizations)",
                "follow": follow ? "on" : "off",
            ],
            opsPerSecond: Double(latency.count) / elapsed, p50Micros: latency.percentile(50),
            p99Micros: latency.percentile(99), p999Micros: latency.percentile(99.9),
            extra: ["records_per_batch": batches > 0 ? Double(records) / Double(batches) : 0],
            environment: environment)
    }

    /// pgbench's rate of one-row INSERT transactions (autocommit, as a client without batching writes)
    /// on a table of its own: 20,000 of them over the clients. A count, not `-T`: started from this
    /// process, pgbench's `-T` never ended (it inherits a signal mask its timer needs, it seems).
    private func pgbench(_ url: PostgresURL, clients: Int) throws -> Double {
        _ = try runPostgresTool(
            "psql", ["-q", "-c", "CREATE TABLE IF NOT EXISTS statusbench_rows (id bigserial PRIMARY KEY, body text)"],
            url)
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("statusbench-\(UUID()).sql")
        try "INSERT INTO statusbench_rows (body) VALUES (repeat('x', 100));\n".write(
            to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let output = try runPostgresTool(
            "pgbench",
            ["-n", "-c", "\(clients)", "-j", "2", "-t", "\(max(20, 20_000 / clients))", "-f", script.path], url)
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst(6).split(separator: " ").first ?? "")
        else { throw ValidationError("pgbench printed no rate: \(output.suffix(500))") }
        return tps
    }

    /// Runs one of PostgreSQL's programs on `url`'s database (libpq's environment, not its command
    /// line); its output.
    private func runPostgresTool(_ name: String, _ arguments: [String], _ url: PostgresURL) throws -> String {
        let candidates = ["/usr/lib/postgresql/15/bin/\(name)", "/usr/bin/\(name)"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ValidationError("\(name) is not installed: run scripts/setup.sh --postgres")
        }
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(url.libpqEnvironment) { $1 }
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw ValidationError("\(name) failed: \(text.suffix(500))") }
        return text
    }

    private func write(_ results: [BenchResult]) throws {
        let directory = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (results.map { $0.jsonLine() }.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("cluster.jsonl"), atomically: true, encoding: .utf8)
        let table = ResultTable.markdown(
            results, columns: ["log", "fsync", "nodes", "writers", "organizations"], extraColumns: ["records_per_batch"]
        )
        try (table + "\n").write(to: directory.appendingPathComponent("cluster.md"), atomically: true, encoding: .utf8)
        print(table)
    }
}
