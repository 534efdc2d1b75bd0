import ArgumentParser
import Engine
import Foundation
import Logging
import Persistence

/// `statusbench wal`: durable commands per second through the engine and the write-ahead log, per
/// fsync policy and count of concurrent writers, beside the disk's raw write+fdatasync rate measured
/// in the same run on the same file system.
///
/// Writers spread over `--organizations` organizations (an outage brings many monitors and many
/// pages at once); each flips its own service between `major_outage` and `operational`.
struct WALScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal", abstract: "Durable commands/s per fsync policy and writer count, and raw fdatasync/s.")

    @Option(help: "Comma-separated policies: always, interval, none.")
    var fsync = "always,interval,none"

    @Option(help: "Comma-separated counts of concurrent writers.")
    var writers = "1,16,256"

    @Option(help: "Organizations the writers spread over (at most one per writer).")
    var organizations = 16

    @Option(help: "Seconds per run.")
    var duration = 5.0

    @Flag(inversion: .prefixedNo, help: "Under always, write batches with O_DIRECT (statusd's default).")
    var directIO = true

    @Option(help: "Directory for the scratch data directories (same disk as production data).")
    var scratch = FileManager.default.temporaryDirectory.path

    @Option(help: "Directory for wal.jsonl, wal.md and wal.svg.")
    var output = "bench-results"

    var policies: [String] { fsync.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    var writerCounts: [Int] { CountList.parse(writers) }

    mutating func validate() throws {
        guard !policies.isEmpty, policies.allSatisfy({ ["always", "interval", "none"].contains($0) }) else {
            throw ValidationError("--fsync takes always, interval and none, comma-separated")
        }
        try CountList.validate(writers, option: "--writers", range: 1...400)
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be in (0, 600] seconds") }
        guard (1...400).contains(organizations) else { throw ValidationError("--organizations must be 1...400") }
    }

    func run() async throws {
        let environment = BenchEnvironment.current()
        let raw = try DiskProbe.fdatasyncRate(directory: scratch, duration: .seconds(min(duration, 5)))
        print("disk: \(ResultTable.format(raw)) write+fdatasync/s (4 KiB, one thread) in \(scratch)")
        var results: [BenchResult] = []
        for policy in policies {
            for count in writerCounts {
                let result = try await measure(policy: policy, writers: count, raw: raw, environment: environment)
                print(
                    "wal fsync=\(policy) writers=\(count): \(ResultTable.format(result.opsPerSecond)) commands/s, p50 \(result.p50Micros) µs, p99 \(result.p99Micros) µs, \(ResultTable.format(result.extra["records_per_batch"] ?? 0)) records/batch"
                )
                print(result.jsonLine())
                results.append(result)
            }
        }
        try write(results, raw: raw)
    }

    /// One run (`statusbench cluster` runs `always` beside the log on PostgreSQL).
    func measure(policy: String, writers count: Int, raw: Double, environment: BenchEnvironment) async throws
        -> BenchResult
    {
        let path = scratch + "/statusbench-wal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fsyncPolicy: FsyncPolicy = policy == "always" ? .always : policy == "none" ? .none : .interval(.seconds(1))
        var configuration = WALConfiguration(fsync: fsyncPolicy)
        configuration.directIO = directIO
        let (directory, log, _) = try Storage.open(path, configuration: configuration, logger: Logger(label: "bench"))
        defer {
            log.close()
            directory.close()
        }
        let registry = Registry(log: log)
        let targets = try await BenchTargets.make(
            registry: registry, writers: count, organizations: min(organizations, count))
        let before = log.statistics
        let deadline = ContinuousClock.now + .seconds(duration)
        let start = ContinuousClock.now
        let progress = ProgressLine(label: "wal fsync=\(policy) writers=\(count)", total: duration)
        let latency = try await BenchTargets.flipAll(targets, until: deadline, progress: progress)
        let elapsed = (ContinuousClock.now - start).seconds
        let after = log.statistics
        let batches = Double(after.batches - before.batches)
        return BenchResult(
            scenario: "wal",
            parameters: [
                "fsync": policy, "writers": "\(count)", "organizations": "\(min(organizations, count))",
                "direct_io": "\(directIO && policy == "always")",
            ],
            opsPerSecond: Double(latency.count) / elapsed, p50Micros: latency.percentile(50),
            p99Micros: latency.percentile(99),
            p999Micros: latency.percentile(99.9),
            extra: [
                "raw_fdatasync_per_second": raw,
                "records_per_batch": batches > 0 ? Double(after.records - before.records) / batches : 0,
                "fdatasyncs_per_second": Double(after.syncs - before.syncs) / elapsed,
            ],
            environment: environment)
    }

    private func write(_ results: [BenchResult], raw: Double) throws {
        let directory = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (results.map { $0.jsonLine() }.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("wal.jsonl"), atomically: true, encoding: .utf8)
        let table = ResultTable.markdown(
            results, columns: ["fsync", "writers", "organizations"],
            extraColumns: ["records_per_batch", "fdatasyncs_per_second", "raw_fdatasync_per_second"])
        try (table + "\n").write(to: directory.appendingPathComponent("wal.md"), atomically: true, encoding: .utf8)
        print(table)
        let svg = ResultTable.svg(
            title:
                "statusbench wal: durable commands/s (raw fdatasync \(ResultTable.format(raw))/s; \(results.first?.environment.gitSHA ?? ""))",
            labels: results.map { "\($0.parameters["fsync"] ?? "") ×\($0.parameters["writers"] ?? "")" },
            series: [("commands/s", results.map(\.opsPerSecond))])
        try svg.write(to: directory.appendingPathComponent("wal.svg"), atomically: true, encoding: .utf8)
    }
}
