import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `statusbench read`: public read throughput of a real `statusd` (release build) on loopback, with
/// and without a concurrent login load, alternating in one run. A login costs a full production
/// scrypt hash, so this shows whether password hashing starves the read path.
struct ReadScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "Public reads/s against a statusd it starts, with and without concurrent logins."
    )

    @Option(help: "The statusd binary to start (build it with -c release).")
    var statusd = ".build/release/statusd"

    @Option(help: "Concurrent keep-alive connections reading.")
    var connections = 64

    @Option(help: "The path read: the demo organization's public summary by default.")
    var path = "/api/status/demo"

    @Flag(help: "Ask for gzip (Accept-Encoding: gzip), as browsers do.")
    var gzip = false

    @Option(help: "Comma-separated counts of concurrent login connections to run beside the reads.")
    var logins = "0,4"

    @Option(help: "Rounds of the login counts, alternating.")
    var rounds = 2

    @Option(help: "Seconds per run.")
    var duration = 8.0

    @Option(help: "Directory for read.jsonl and read.md.")
    var output = "bench-results"

    mutating func validate() throws {
        guard FileManager.default.isExecutableFile(atPath: statusd) else {
            throw ValidationError("no statusd at \(statusd): swift build -c release --product statusd")
        }
        guard (1...5_000).contains(connections) else { throw ValidationError("--connections must be 1...5000") }
        try CountList.validate(logins, option: "--logins", range: 0...256)
        guard (1...20).contains(rounds), duration > 0, duration <= 600 else {
            throw ValidationError("--rounds 1...20, --duration (0, 600]")
        }
    }

    func run() async throws {
        let environment = BenchEnvironment.current()
        let server = try StatusdChild(binary: statusd, arguments: ["--demo", "--fsync", "none"])
        defer { server.stop() }
        // One event loop for the client: it shares the two cores with the server it measures.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let account = #"{"email": "bench@example.com", "password": "a long benchmark password"}"#
        let signup = try await once(.POST, "/api/auth/signup", body: account, port: server.port, group: group)
        guard signup == 201 else { throw ValidationError("sign-up for the login load answered \(signup)") }
        let login = HTTPLoad.Request(
            method: .POST, path: "/api/auth/login", headers: [("Content-Type", "application/json")],
            body: Array(account.utf8))
        let port = server.port
        let readRequest = HTTPLoad.Request(path: path, headers: gzip ? [("Accept-Encoding", "gzip")] : [])
        var results: [BenchResult] = []
        for round in 1...rounds {
            for count in CountList.parse(logins) {
                let deadline = NIODeadline.now() + .nanoseconds(Int64(duration * 1e9))
                async let reads = HTTPLoad.run(
                    host: "127.0.0.1", port: port, connections: connections, request: readRequest,
                    until: deadline, group: group)
                async let signIns = HTTPLoad.run(
                    host: "127.0.0.1", port: port, connections: count, request: login, until: deadline,
                    group: group)
                let (read, signIn) = try await (reads, signIns)
                let result = BenchResult(
                    scenario: "read",
                    parameters: [
                        "connections": "\(connections)", "logins": "\(count)", "round": "\(round)", "path": path,
                        "gzip": "\(gzip)",
                    ],
                    opsPerSecond: Double(read.statuses[200] ?? 0) / duration, p50Micros: read.latency.percentile(50),
                    p99Micros: read.latency.percentile(99), p999Micros: read.latency.percentile(99.9),
                    extra: [
                        "logins_per_second": Double(signIn.statuses[200] ?? 0) / duration,
                        "login_p99_ms": Double(signIn.latency.percentile(99)) / 1000,
                        "non_200_reads": Double(read.responses - (read.statuses[200] ?? 0) + read.errors),
                        "refused_logins_503": Double(signIn.statuses[503] ?? 0),
                    ],
                    environment: environment)
                print(
                    "read round \(round), logins \(count): \(ResultTable.format(result.opsPerSecond)) reads/s, p50 \(result.p50Micros) µs, p99 \(result.p99Micros) µs; \(ResultTable.format(result.extra["logins_per_second"] ?? 0)) logins/s"
                )
                print(result.jsonLine())
                results.append(result)
            }
        }
        try await group.shutdownGracefully()
        try write(results)
    }

    /// One request; its status.
    private func once(_ method: HTTPMethod, _ path: String, body: String, port: Int, group: any EventLoopGroup)
        async throws -> UInt
    {
        let request = HTTPLoad.Request(
            method: method, path: path, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        let outcome = try await HTTPLoad.run(
            host: "127.0.0.1", port: port, connections: 1, request: request, until: .now(), group: group)
        return outcome.statuses.keys.first ?? 0
    }

    private func write(_ results: [BenchResult]) throws {
        let directory = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (results.map { $0.jsonLine() }.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("read.jsonl"), atomically: true, encoding: .utf8)
        let table = ResultTable.markdown(
            results, columns: ["round", "connections", "logins"],
            extraColumns: ["logins_per_second", "login_p99_ms", "non_200_reads", "refused_logins_503"])
        try (table + "\n").write(to: directory.appendingPathComponent("read.md"), atomically: true, encoding: .utf8)
        print(table)
    }
}
