import ArgumentParser
import Engine
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Persistence

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `statusbench read-vs-nginx`: a real `statusd` (release build) serving an organization's public
/// summary (20 services, 3 active incidents), with its fast path and through the router only
/// (`--no-public-fast-path`), beside nginx (`worker_processes auto`) serving the same
/// bytes as a static file, with the same load generator and connections, alternating in one run:
/// full reads (200) and revalidations (`If-None-Match`, 304), with 1 and with many organizations
/// loaded. The reference a status page server has to approach: nothing is faster than sendfile.
/// `--document page` reads the HTML status page instead (`/status/org-0`). `--tls` adds statusd serving
/// https itself (`--tls-certificate`, fast path) and nginx terminating TLS for the same file.
struct ReadVersusNginxScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read-vs-nginx",
        abstract: "Public reads and 304s of statusd beside nginx serving the same bytes, by organizations loaded.")

    @Option(help: "The statusd binary to start (build it with -c release).")
    var statusd = ".build/release/statusd"

    @Option(help: "The nginx binary.")
    var nginx = "/usr/sbin/nginx"

    @Option(help: "Comma-separated counts of organizations loaded (each with 20 services, 3 active incidents).")
    var organizations = "1,10000"

    @Option(help: "Concurrent keep-alive connections.")
    var connections = 64

    @Option(help: "Rounds; each runs statusd (fast path), statusd (router only) and nginx, 200 and 304, alternating.")
    var rounds = 3

    @Option(help: "Seconds per run.")
    var duration = 6.0

    @Option(
        help:
            "What is read: 'summary' (GET /api/status/org-0, JSON) or 'page' (GET /status/org-0, the HTML status page)."
    )
    var document = "summary"

    @Option(help: "Directory for read-vs-nginx.jsonl and .md.")
    var output = "bench-results"

    @Flag(help: "Also over TLS: statusd serving https itself, nginx terminating TLS (a certificate made here).")
    var tls = false

    mutating func validate() throws {
        guard FileManager.default.isExecutableFile(atPath: statusd) else {
            throw ValidationError("no statusd at \(statusd): swift build -c release --product statusd")
        }
        guard FileManager.default.isExecutableFile(atPath: nginx) else {
            throw ValidationError("no nginx at \(nginx): apt-get install -y nginx-light")
        }
        try CountList.validate(organizations, option: "--organizations", range: 1...100_000)
        guard ["summary", "page"].contains(document) else { throw ValidationError("--document: summary or page") }
        guard (1...5_000).contains(connections), (1...20).contains(rounds), duration > 0, duration <= 600 else {
            throw ValidationError("--connections 1...5000, --rounds 1...20, --duration (0, 600]")
        }
    }

    func run() async throws {
        let environment = BenchEnvironment.current()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // The client checks nothing of the certificate: loopback, and the figures are the servers'.
        var clientTLS = TLSConfiguration.makeClientConfiguration()
        clientTLS.certificateVerification = .none
        let clientContext = tls ? try NIOSSLContext(configuration: clientTLS) : nil
        var results: [BenchResult] = []
        for count in CountList.parse(organizations) {
            // The same organizations twice: one statusd with the fast path, one through the router only.
            let states = try Self.organizations(count)
            let scratch = FileManager.default.temporaryDirectory.path + "/statusbench-vs-\(UUID())"
            try Self.writeSnapshot(states, into: scratch + "-fast")
            try Self.writeSnapshot(states, into: scratch + "-router")
            let server = try StatusdChild(
                binary: statusd, arguments: ["--fsync", "none"], dataDirectory: scratch + "-fast")
            defer { server.stop() }
            let routed = try StatusdChild(
                binary: statusd, arguments: ["--fsync", "none", "--no-public-fast-path"],
                dataDirectory: scratch + "-router")
            defer { routed.stop() }
            let (path, file) =
                document == "page" ? ("/status/org-0", "status.html") : ("/api/status/org-0", "summary.json")
            let (body, etag) = try await Self.fetch(port: server.port, path: path)
            let (routedBody, routedETag) = try await Self.fetch(port: routed.port, path: path)
            guard routedBody == body else { throw ValidationError("the two statusd answered different bytes") }
            // Over TLS: a third statusd from the same snapshot (so the same bytes and ETag), and the
            // same nginx on a second, TLS port (the same file, so the same ETag).
            let certificate = tls ? try BenchCertificate(in: scratch + "-certificate") : nil
            defer { certificate?.remove() }
            var secure: StatusdChild?
            if let certificate {
                try Self.writeSnapshot(states, into: scratch + "-tls")
                secure = try StatusdChild(
                    binary: statusd,
                    arguments: [
                        "--fsync", "none", "--tls-certificate", certificate.certificate, "--tls-key", certificate.key,
                    ], dataDirectory: scratch + "-tls")
            }
            defer { secure?.stop() }
            let web = try StaticServer(nginx: nginx, file: file, bytes: body, certificate: certificate)
            defer { web.stop() }
            let (_, nginxETag) = try await Self.fetch(port: web.port, path: "/" + file)
            var targets: [(name: String, port: Int, path: String, etag: String, tls: Bool)] = [
                ("statusd", server.port, path, etag, false), ("statusd-router", routed.port, path, routedETag, false),
                ("nginx", web.port, "/" + file, nginxETag, false),
            ]
            if let secure, let tlsPort = web.tlsPort {
                targets += [
                    ("statusd-tls", secure.port, path, etag, true), ("nginx-tls", tlsPort, "/" + file, nginxETag, true),
                ]
            }
            for round in 1...rounds {
                for revalidate in [false, true] {
                    for target in targets {
                        let request = HTTPLoad.Request(
                            path: target.path, headers: revalidate ? [("If-None-Match", target.etag)] : [])
                        let outcome = try await HTTPLoad.run(
                            host: "127.0.0.1", port: target.port, connections: connections, request: request,
                            until: .now() + .nanoseconds(Int64(duration * 1e9)), group: group,
                            tls: target.tls ? clientContext : nil)
                        let expected: UInt = revalidate ? 304 : 200
                        let result = BenchResult(
                            scenario: "read-vs-nginx",
                            parameters: [
                                "target": target.name, "organizations": "\(count)", "status": "\(expected)",
                                "round": "\(round)", "connections": "\(connections)", "document": document,
                            ],
                            opsPerSecond: Double(outcome.statuses[expected] ?? 0) / duration,
                            p50Micros: outcome.latency.percentile(50), p99Micros: outcome.latency.percentile(99),
                            p999Micros: outcome.latency.percentile(99.9),
                            extra: [
                                "unexpected": Double(
                                    outcome.responses - (outcome.statuses[expected] ?? 0) + outcome.errors),
                                "body_bytes": Double(revalidate ? 0 : body.count),
                            ],
                            environment: environment)
                        print(
                            "\(target.name) \(count) orgs \(expected) round \(round): \(ResultTable.format(result.opsPerSecond))/s, p50 \(result.p50Micros) µs, p99 \(result.p99Micros) µs"
                        )
                        results.append(result)
                    }
                }
            }
        }
        try await group.shutdownGracefully()
        try write(results)
    }

    /// `organizations` organizations `org-0`, `org-1`, ... each with 20 services and 3 active
    /// incidents that set statuses.
    static func organizations(_ organizations: Int) throws -> [OrgState] {
        var states: [OrgState] = []
        states.reserveCapacity(organizations)
        for index in 0..<organizations {
            var generator = OrgGenerator(now: Date().addingTimeInterval(-86_400))
            try generator.run(
                .createOrganization(
                    slug: "org-\(index)", name: "Organization \(index)", timeZone: "UTC", owner: .random()))
            var ids: [ServiceID] = []
            for service in 0..<20 {
                let changes = try generator.run(
                    .createService(
                        name: "Service \(service)", description: "A service the page shows", status: .operational,
                        groupID: nil, position: nil))
                if case .serviceCreated(let created) = changes.first { ids.append(created.id) }
            }
            for incident in 0..<3 {
                try generator.run(
                    .createIncident(
                        IncidentDraft(
                            name: "Incident \(incident)", status: .investigating, impact: .minor,
                            body: "We are investigating elevated error rates on this service.",
                            affected: [AffectedService(serviceID: ids[incident], status: .partialOutage)])))
            }
            states.append(generator.state)
        }
        return states
    }

    /// A data directory whose snapshot holds `states`.
    static func writeSnapshot(_ states: [OrgState], into data: String) throws {
        let directory = try DataDirectory.open(data)
        defer { directory.close() }
        _ = try SnapshotStore(dataDirectory: directory).write(
            SnapshotCapture(
                replayFrom: LogPosition(0), logEnd: LogPosition(0), directory: DirectoryState(), organizations: states))
    }

    /// The body and ETag of one GET of the uncompressed representation (the one the load reads).
    static func fetch(port: Int, path: String) async throws -> (Data, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let (body, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200,
            let etag = http.value(forHTTPHeaderField: "ETag")
        else { throw ValidationError("GET \(path) on port \(port) did not answer 200 with an ETag") }
        return (body, etag)
    }

    private func write(_ results: [BenchResult]) throws {
        let directory = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try (results.map { $0.jsonLine() }.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("read-vs-nginx.jsonl"), atomically: true, encoding: .utf8)
        let table = ResultTable.markdown(
            results, columns: ["organizations", "status", "target", "round"], extraColumns: ["unexpected"])
        try (table + "\n").write(
            to: directory.appendingPathComponent("read-vs-nginx.md"), atomically: true, encoding: .utf8)
        print(table)
    }
}

/// nginx on a free loopback port serving one file from a scratch folder, as a status page would be
/// served statically: `worker_processes auto`, sendfile, no access log, long keep-alive.
final class StaticServer {
    let process = Process()
    let port: Int
    /// The TLS port, when made with a certificate.
    let tlsPort: Int?
    let folder: String

    init(nginx: String, file: String, bytes: Data, certificate: BenchCertificate? = nil) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("statusbench-nginx-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder + "/www", withIntermediateDirectories: true)
        // nginx's workers run as nobody: the folders must be readable by others.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder + "/www")
        try bytes.write(to: URL(fileURLWithPath: folder + "/www/" + file))
        port = try Self.freePort()
        tlsPort = certificate == nil ? nil : try Self.freePort()
        var secureServer = ""
        if let tlsPort, let certificate {
            secureServer = """
                server {
                    listen 127.0.0.1:\(tlsPort) ssl;
                    ssl_certificate \(certificate.certificate);
                    ssl_certificate_key \(certificate.key);
                    ssl_protocols TLSv1.2 TLSv1.3;
                    root \(folder)/www;
                    location / { add_header Cache-Control "public, max-age=5, stale-while-revalidate=30"; }
                }
                """
        }
        let configuration = """
            worker_processes auto;
            daemon off;
            pid \(folder)/nginx.pid;
            error_log \(folder)/error.log;
            events { worker_connections 8192; }
            http {
                access_log off;
                sendfile on;
                tcp_nopush on;
                keepalive_requests 10000000;
                keepalive_timeout 120;
                types { application/json json; text/html html; }
                server {
                    listen 127.0.0.1:\(port);
                    root \(folder)/www;
                    location / { add_header Cache-Control "public, max-age=5, stale-while-revalidate=30"; }
                }
                \(secureServer)
            }
            """
        try configuration.write(toFile: folder + "/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-c", folder + "/nginx.conf", "-p", folder]
        process.standardError = FileHandle.nullDevice
        try process.run()
        try Self.waitForListener(port: port)
    }

    func stop() {
        if process.isRunning {
            process.terminate()  // SIGTERM: nginx's fast shutdown
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A port the kernel just handed out and that is free again.
    static func freePort() throws -> Int {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress?.port ?? 0
        try channel.close().wait()
        return port
    }

    static func waitForListener(port: Int) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        for _ in 0..<100 {
            if let channel = try? ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).wait() {
                try channel.close().wait()
                return
            }
            usleep(50_000)
        }
        throw ValidationError("nginx did not listen on \(port)")
    }
}
