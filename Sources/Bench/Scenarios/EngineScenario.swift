import ArgumentParser
import Engine
import Foundation
import NIOCore
import Persistence
import Synchronization

/// `statusbench engine`: commands per second through the organization actors (in-memory log, so the
/// engine alone is measured), at several counts of concurrent writers, and public view reads per second
/// while those writes run.
///
/// Each writer flips its own service between `major_outage` and `operational` (a monitor's workload;
/// every command is a real change); by default all writers share one organization, the worst case
/// for its actor. Readers run on their own threads, as HTTP event loops do, and
/// read the summary bytes from the current view's memo, rendering when a write replaced the view.
struct EngineScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine", abstract: "Commands/s through the actors, and view reads/s meanwhile.")

    @Option(help: "Comma-separated counts of concurrent writers.")
    var writers = "1,16,256"

    @Option(help: "Seconds per writer count.")
    var duration = 5.0

    @Option(help: "Organizations the writers spread over; readers read the first one.")
    var organizations = 1

    @Option(help: "Reader threads running during the writes (0: none).")
    var readers = 1

    @Option(help: "Directory for engine.jsonl, engine.md and engine.svg.")
    var output = "bench-results"

    mutating func validate() throws {
        try CountList.validate(writers, option: "--writers", range: 1...400)
        guard duration > 0, duration <= 600 else { throw ValidationError("--duration must be in (0, 600] seconds") }
        guard (0...64).contains(readers) else { throw ValidationError("--readers must be 0...64") }
        guard (1...400).contains(organizations) else { throw ValidationError("--organizations must be 1...400") }
    }

    var writerCounts: [Int] { CountList.parse(writers) }

    func run() async throws {
        let environment = BenchEnvironment.current()
        var results: [BenchResult] = []
        for count in writerCounts {
            let result = try await measure(writers: count, environment: environment)
            print(
                "engine writers=\(count): \(ResultTable.format(result.opsPerSecond)) commands/s, p50 \(result.p50Micros) µs, p99 \(result.p99Micros) µs; \(ResultTable.format(result.extra["reads_per_second"] ?? 0)) reads/s"
            )
            print(result.jsonLine())
            results.append(result)
        }
        try write(results)
    }

    private func measure(writers count: Int, environment: BenchEnvironment) async throws -> BenchResult {
        let registry = Registry(log: InMemoryEventLog())
        let targets = try await BenchTargets.make(
            registry: registry, writers: count, organizations: min(organizations, count))
        let actor = targets[0].0
        let readers = ReaderThreads(count: self.readers, actor: actor)
        let start = ContinuousClock.now
        let deadline = start + .seconds(duration)
        let progress = ProgressLine(label: "engine writers=\(count)", total: duration)
        let latency = try await BenchTargets.flipAll(targets, until: deadline, progress: progress)
        let elapsed = (ContinuousClock.now - start).seconds
        let reads = readers.stopAndJoin()
        return BenchResult(
            scenario: "engine",
            parameters: [
                "writers": "\(count)", "readers": "\(self.readers)", "organizations": "\(min(organizations, count))",
                "log": "memory",
            ],
            opsPerSecond: Double(latency.count) / elapsed, p50Micros: latency.percentile(50),
            p99Micros: latency.percentile(99), p999Micros: latency.percentile(99.9),
            extra: ["reads_per_second": Double(reads) / elapsed], environment: environment)
    }

    private func write(_ results: [BenchResult]) throws {
        let directory = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let lines = results.map { $0.jsonLine() }.joined(separator: "\n") + "\n"
        try lines.write(to: directory.appendingPathComponent("engine.jsonl"), atomically: true, encoding: .utf8)
        let table = ResultTable.markdown(
            results, columns: ["writers", "organizations", "readers"], extraColumns: ["reads_per_second"])
        try (table + "\n").write(to: directory.appendingPathComponent("engine.md"), atomically: true, encoding: .utf8)
        print(table)
        let svg = ResultTable.svg(
            title:
                "statusbench engine: per second (\(results.first?.environment.cpu ?? ""), \(results.first?.environment.gitSHA ?? ""))",
            labels: results.map { "\($0.parameters["writers"] ?? "") writers" },
            series: [
                ("commands/s", results.map(\.opsPerSecond)),
                ("view reads/s during writes", results.map { $0.extra["reads_per_second"] ?? 0 }),
            ])
        try svg.write(to: directory.appendingPathComponent("engine.svg"), atomically: true, encoding: .utf8)
    }
}

/// Threads that read the public summary bytes from the current view until stopped, as HTTP event
/// loops do: no actor hop, and the memo renders once per view.
final class ReaderThreads: Sendable {
    private final class Slot: Sendable {
        let reads = Atomic<Int>(0)
        let done = Atomic<Bool>(false)
    }

    private let slots: [Slot]
    private let stopped = Atomic<Bool>(false)

    init(count: Int, actor: OrgActor) {
        slots = (0..<count).map { _ in Slot() }
        for slot in slots {
            Thread { [self] in
                let encoder = PublicSummary.makeEncoder()
                var reads = 0
                var bytes = 0
                while !stopped.load(ordering: .relaxed) {
                    let view = actor.view
                    let buffer = view.memo.bytes("summary.json") {
                        ByteBuffer(bytes: (try? encoder.encode(PublicSummary(view.state))) ?? Data())
                    }
                    bytes &+= buffer.readableBytes
                    reads += 1
                }
                precondition(bytes >= 0)
                slot.reads.store(reads, ordering: .relaxed)
                slot.done.store(true, ordering: .releasing)
            }.start()
        }
    }

    /// Stops every thread, waits for them, and returns the total number of reads.
    func stopAndJoin() -> Int {
        stopped.store(true, ordering: .relaxed)
        while !slots.allSatisfy({ $0.done.load(ordering: .acquiring) }) { usleep(1_000) }
        return slots.reduce(0) { $0 + $1.reads.load(ordering: .relaxed) }
    }
}
