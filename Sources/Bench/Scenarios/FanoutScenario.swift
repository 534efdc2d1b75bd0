import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `statusbench fanout`: N live WebSocket subscribers of one organization on loopback (spread over
/// the source addresses 127.0.0.2 to 127.0.0.9), a writer changing a service's status one update at
/// a time, and what it costs: per-update delivery latency (write acknowledged -> the frame at the last
/// subscriber), frames per second, the server's CPU per delivered frame and its memory per idle
/// connection. Beside it, nginx with nchan (`worker_processes 1`) publishing a message of the same
/// size to the same number of subscribers, with the same client, alternating in one run.
///
/// With `--cluster-nodes N` (and `STATUSD_BENCH_POSTGRES_URL`), statusd is N nodes on one log on
/// PostgreSQL: the updates are written on the first node and the subscribers spread over the others
/// (over all N when `--subscribe-on-writer`), so the latency is cross-node propagation: the write
/// acknowledged on one node to the frame received from another. With `--client-processes K` the
/// subscribers are spread over K `statusbench fanout-client` processes (more than 20,000 of them).
struct FanoutScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Live fan-out to N WebSocket subscribers: statusd beside nginx + nchan.")

    @Option(help: "The statusd binary (a release build).")
    var statusd = ".build/release/statusd"

    @Option(help: "The nginx binary.")
    var nginx = "/usr/sbin/nginx"

    @Option(help: "The nchan module; with --no-nchan, statusd alone.")
    var nchanModule = "/usr/lib/nginx/modules/ngx_nchan_module.so"

    @Flag(help: "Measure statusd alone.")
    var noNchan = false

    @Option(help: "Comma-separated subscriber counts.")
    var connections = "1000,10000,19000"

    @Option(help: "Updates per run, each acknowledged before the next is sent.")
    var updates = 100

    @Option(
        help:
            "Milliseconds between one update's acknowledgement and the next: 0 sends as fast as the server acknowledges (frames/s), more measures one update's fan-out unqueued (latency)."
    )
    var intervalMs = 0

    @Option(help: "Rounds; each runs statusd then nchan at every subscriber count.")
    var rounds = 1

    @Option(
        help:
            "statusd as this many nodes on the log on PostgreSQL (STATUSD_BENCH_POSTGRES_URL); 1 = one process on its WAL."
    )
    var clusterNodes = 1

    @Flag(help: "With --cluster-nodes: subscribers on the writing node too, not only on the others.")
    var subscribeOnWriter = false

    @Option(
        help:
            "Client processes the subscribers are spread over (a process may open at most 20,000 files here); 1 = in this process."
    )
    var clientProcesses = 1

    @Option(help: "Directory for fanout.jsonl and fanout.md.")
    var output = "bench-results"

    mutating func validate() throws {
        guard FileManager.default.isExecutableFile(atPath: statusd) else {
            throw ValidationError("no statusd at \(statusd): swift build -c release --product statusd")
        }
        if !noNchan {
            guard FileManager.default.isExecutableFile(atPath: nginx),
                FileManager.default.fileExists(atPath: nchanModule)
            else { throw ValidationError("no nginx with nchan: apt-get install -y nginx-light libnginx-mod-nchan") }
        }
        guard (1...100_000).contains(updates) else { throw ValidationError("--updates must be 1...100000") }
        guard (1...8).contains(clusterNodes) else { throw ValidationError("--cluster-nodes must be 1...8") }
        guard (1...16).contains(clientProcesses) else { throw ValidationError("--client-processes must be 1...16") }
        if clusterNodes > 1 {
            guard ProcessInfo.processInfo.environment["STATUSD_BENCH_POSTGRES_URL"] != nil else {
                throw ValidationError("--cluster-nodes needs STATUSD_BENCH_POSTGRES_URL (an empty database per run)")
            }
            guard noNchan else { throw ValidationError("--cluster-nodes measures statusd alone: add --no-nchan") }
        }
    }

    func run() async throws {
        let environment = BenchEnvironment.current()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        var results: [BenchResult] = []
        for round in 1...rounds {
            for count in CountList.parse(connections) {
                for target in noNchan ? ["statusd"] : ["statusd", "nchan"] {
                    let server: any FanoutTarget =
                        target == "nchan"
                        ? try NchanTarget(nginx: nginx, module: nchanModule)
                        : clusterNodes > 1
                            ? try await StatusdTarget(
                                binary: statusd, nodes: clusterNodes, subscribeOnWriter: subscribeOnWriter)
                            : try await StatusdTarget(binary: statusd)
                    defer { server.stop() }
                    let figures = try await measure(server, subscribers: count, group: group)
                    let result = BenchResult(
                        scenario: "fanout",
                        parameters: [
                            "target": clusterNodes > 1 ? "statusd x\(clusterNodes)" : target,
                            "connections": "\(count)", "round": "\(round)", "interval_ms": "\(intervalMs)",
                            "client_processes": "\(clientProcesses)",
                        ],
                        opsPerSecond: figures.framesPerSecond,
                        p50Micros: figures.latency.percentile(50), p99Micros: figures.latency.percentile(99),
                        p999Micros: figures.latency.percentile(99.9),
                        extra: [
                            "subscribed": Double(figures.subscribed), "delivered": Double(figures.delivered),
                            "expected": Double(figures.subscribed * updates),
                            "cpu_us_per_frame": figures.cpuMicrosPerFrame,
                            "kib_per_idle_connection": figures.kibPerConnection,
                            "frame_bytes": figures.frameBytes,
                        ],
                        environment: environment)
                    print(
                        "\(result.parameters["target"] ?? target) \(count) subscribers round \(round): \(figures.subscribed) subscribed, \(ResultTable.format(figures.framesPerSecond)) frames/s, p50 \(result.p50Micros / 1000) ms, p99 \(result.p99Micros / 1000) ms, \(String(format: "%.1f", figures.cpuMicrosPerFrame)) µs CPU/frame, \(String(format: "%.1f", figures.kibPerConnection)) KiB/connection, \(figures.delivered)/\(figures.subscribed * updates) delivered, \(Int(figures.frameBytes)) B/frame"
                    )
                    results.append(result)
                }
            }
        }
        try await group.shutdownGracefully()
        try write(results)
    }

    struct Figures {
        var subscribed = 0
        var delivered = 0
        var framesPerSecond = 0.0
        var latency = LatencyRecorder()
        var cpuMicrosPerFrame = 0.0
        var kibPerConnection = 0.0
        var frameBytes = 0.0
    }

    private func measure(_ server: any FanoutTarget, subscribers: Int, group: MultiThreadedEventLoopGroup)
        async throws -> Figures
    {
        var tallies: [ObjectIdentifier: WebSocketFanoutClient.Tally] = [:]
        for loop in group.makeIterator() {
            tallies[ObjectIdentifier(loop)] = WebSocketFanoutClient.Tally(updates: updates)
        }
        let counters = WebSocketFanoutClient.Counters()
        try await Task.sleep(for: .milliseconds(500))
        let memoryBefore = server.pids.reduce(0) { $0 + ProcessStats.residentBytes($1) }
        var channels: [any Channel] = []
        var clients: FanoutClientProcesses?
        defer { clients?.stop() }
        if clientProcesses > 1 {
            clients = try FanoutClientProcesses(
                statusbench: ProcessInfo.processInfo.arguments[0], processes: clientProcesses, count: subscribers,
                ports: server.subscribePorts, path: server.subscribePath, greeting: server.greeting, updates: updates)
        } else {
            for (index, port) in server.subscribePorts.enumerated() {
                let share =
                    subscribers / server.subscribePorts.count
                    + (index < subscribers % server.subscribePorts.count ? 1 : 0)
                channels += await WebSocketFanoutClient.connect(
                    count: share, port: port, path: server.subscribePath, greeting: server.greeting, tallies: tallies,
                    counters: counters, group: group)
            }
        }
        let subscribed = clients?.subscribed ?? channels.count
        try await Task.sleep(for: .seconds(1))  // idle: what each connection costs at rest
        var figures = Figures()
        figures.subscribed = subscribed
        figures.kibPerConnection =
            Double(server.pids.reduce(0) { $0 + ProcessStats.residentBytes($1) } - memoryBefore) / 1024
            / Double(max(1, subscribed))

        let cpuBefore = server.pids.reduce(0) { $0 + ProcessStats.cpuSeconds($1) }
        let start = DispatchTime.now().uptimeNanoseconds
        var acknowledged: [UInt64] = []
        for update in 0..<updates {
            if intervalMs > 0 && update > 0 { try await Task.sleep(for: .milliseconds(intervalMs)) }
            try await server.publish(update)
            acknowledged.append(DispatchTime.now().uptimeNanoseconds)
        }
        var lastArrival = [UInt64](repeating: 0, count: updates)
        var bytes = 0
        let cpuAfter: Double
        if let clients {
            for result in try clients.collect(waiting: 60) {
                for index in 0..<updates { lastArrival[index] = max(lastArrival[index], result.lastArrival[index]) }
                figures.delivered += result.delivered
                bytes += result.bytes
            }
            cpuAfter = server.pids.reduce(0) { $0 + ProcessStats.cpuSeconds($1) }
        } else {
            let expected = channels.count * updates
            let deadline = ContinuousClock.now + .seconds(60)
            while counters.received.load(ordering: .relaxed) < expected && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            cpuAfter = server.pids.reduce(0) { $0 + ProcessStats.cpuSeconds($1) }
            let collected = try await WebSocketFanoutClient.collect(tallies, updates: updates, group: group)
            lastArrival = collected.lastArrival
            figures.delivered = collected.delivered
            bytes = collected.bytes
        }
        for index in 0..<updates where lastArrival[index] > 0 {
            let wait = lastArrival[index] > acknowledged[index] ? lastArrival[index] - acknowledged[index] : 0
            figures.latency.record(.nanoseconds(Int64(wait)))
        }
        let end = lastArrival.max() ?? start
        figures.framesPerSecond = Double(figures.delivered) / (Double(end - start) / 1e9)
        figures.cpuMicrosPerFrame = (cpuAfter - cpuBefore) * 1e6 / Double(max(1, figures.delivered))
        figures.frameBytes = Double(bytes) / Double(max(1, figures.delivered))
        for channel in channels { channel.close(promise: nil) }
        return figures
    }

    private func write(_ results: [BenchResult]) throws {
        let directory = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (results.map { $0.jsonLine() }.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("fanout.jsonl"), atomically: true, encoding: .utf8)
        try ResultTable.markdown(
            results, columns: ["target", "connections", "interval_ms", "client_processes", "round"],
            extraColumns: [
                "subscribed", "delivered", "expected", "cpu_us_per_frame", "kib_per_idle_connection", "frame_bytes",
            ]
        ).write(to: directory.appendingPathComponent("fanout.md"), atomically: true, encoding: .utf8)
    }
}

/// A server `fanout` measures: where subscribers connect, and how an update is published.
private protocol FanoutTarget: Sendable {
    /// The server's processes (CPU and memory are their sums).
    var pids: [Int32] { get }
    /// Where subscribers connect, spread evenly.
    var subscribePorts: [Int] { get }
    var subscribePath: String { get }
    /// Messages a subscriber receives on subscribing, before any update.
    var greeting: Int { get }
    /// Publishes update number `index` and returns once the server acknowledged it.
    func publish(_ index: Int) async throws
    func stop()
}

/// statusd with an owner, an organization `fanout` and two services: `Batch` stays in a major outage
/// and `API` moves between degraded and partial outage, so that the page indicator stays `major` and
/// every update is one `service_update` frame (of about 1 KB: its description is long).
private final class StatusdTarget: FanoutTarget, @unchecked Sendable {
    /// The writing node first.
    let children: [StatusdChild]
    let token: String
    let service: String
    let subscribePorts: [Int]
    var pids: [Int32] { children.map(\.process.processIdentifier) }
    var port: Int { children[0].port }
    let subscribePath = "/ws/fanout"
    let greeting = 1  // hello

    /// - Parameter nodes: more than one: nodes on the log on PostgreSQL of STATUSD_BENCH_POSTGRES_URL,
    ///   its schema dropped first so that each run starts from an empty log.
    init(binary: String, nodes: Int = 1, subscribeOnWriter: Bool = true) async throws {
        var environment: [String: String] = [:]
        if nodes > 1, let url = ProcessInfo.processInfo.environment["STATUSD_BENCH_POSTGRES_URL"] {
            try Self.emptyDatabase(url)
            environment["STATUSD_POSTGRES_URL"] = url
        }
        var children: [StatusdChild] = []
        for _ in 0..<nodes {
            children.append(try StatusdChild(binary: binary, arguments: [], environment: environment))
        }
        self.children = children
        subscribePorts = (nodes == 1 || subscribeOnWriter ? children : Array(children.dropFirst())).map(\.port)
        let base = "http://127.0.0.1:\(children[0].port)"
        let signUp = try await BenchAPI.call(
            base, "POST", "/api/auth/signup", nil,
            ["email": "bench@example.com", "password": "correct horse battery", "name": "Bench"])
        guard let token = signUp["token"] as? String else { throw ValidationError("sign-up failed: \(signUp)") }
        self.token = token
        _ = try await BenchAPI.call(base, "POST", "/api/organizations", token, ["slug": "fanout", "name": "Fanout"])
        let description = String(repeating: "The public API that every integration calls. ", count: 14)
        let api = try await BenchAPI.call(
            base, "POST", "/api/services", token,
            ["name": "API", "description": description, "status": "degraded_performance"])
        let batch = try await BenchAPI.call(
            base, "POST", "/api/services", token, ["name": "Batch", "status": "major_outage"])
        guard let service = api["id"] as? String, batch["id"] != nil else {
            throw ValidationError("could not create the services: \(api) \(batch)")
        }
        self.service = service
        // Every node serves the organization before anyone subscribes.
        for child in children.dropFirst() {
            let deadline = ContinuousClock.now + .seconds(30)
            while (try? await BenchAPI.call("http://127.0.0.1:\(child.port)", "GET", "/api/status/fanout", nil, nil))
                == nil
            {
                guard ContinuousClock.now < deadline else {
                    throw ValidationError("a node never served the organization")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Drops statusd's tables and functions, so the next node makes a new, empty log.
    private static func emptyDatabase(_ url: String) throws {
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = [url, "-q", "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public"]
        psql.standardOutput = FileHandle.nullDevice
        try psql.run()
        psql.waitUntilExit()
        guard psql.terminationStatus == 0 else { throw ValidationError("psql could not empty \(url)") }
    }

    func publish(_ index: Int) async throws {
        _ = try await BenchAPI.call(
            "http://127.0.0.1:\(port)", "PUT", "/api/services/\(service)/status", token,
            ["status": index % 2 == 0 ? "partial_outage" : "degraded_performance"])
    }

    func stop() { for child in children { child.stop() } }
}

/// nginx + nchan: `POST /pub` with a body the size of statusd's frame.
private final class NchanTarget: FanoutTarget, @unchecked Sendable {
    let server: NchanServer
    var pids: [Int32] { [server.process.processIdentifier] }
    var port: Int { server.port }
    var subscribePorts: [Int] { [port] }
    let subscribePath = "/sub"
    let greeting = 0
    private let body = Data(
        ("{\"type\":\"service_update\",\"data\":\"" + String(repeating: "x", count: 940) + "\"}").utf8)

    init(nginx: String, module: String) throws { server = try NchanServer(nginx: nginx, module: module) }

    func publish(_ index: Int) async throws {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/pub")!)
        request.httpMethod = "POST"
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let status = (response as? HTTPURLResponse)?.statusCode, (200..<300).contains(status) else {
            throw ValidationError("nchan publish: \(String(decoding: data, as: UTF8.self))")
        }
    }

    func stop() { server.stop() }
}
