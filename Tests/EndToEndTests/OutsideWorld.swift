import Foundation
import TestSupport

/// The machines statusd's outbound requests reach, on loopback (`Scripts/outside_world.py`): a DNS
/// server and web servers on 127.0.0.1 to 127.0.0.9, all on one port, that count the connections each
/// address received. A test rewrites what they answer as it goes.
final class OutsideWorld {
    let process = Process()
    let input = Pipe()
    let records: URL
    let dnsPort: Int
    /// The port every web server listens on.
    let httpPort: Int
    /// The port of the TLS listener on 127.0.0.2, which records the server names clients send.
    let httpsPort: Int

    init() throws {
        records = FileManager.default.temporaryDirectory.appendingPathComponent("outside-\(UUID().uuidString).json")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: WebSocketTests.python)
        process.arguments = [
            URL(fileURLWithPath: StatuspageTests.script).deletingLastPathComponent()
                .appendingPathComponent("outside_world.py").path, records.path,
        ]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = PipeReader.line(output.fileHandleForReading)
        let ports = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Int] ?? [:]
        dnsPort = ports["dns"] ?? 0
        httpPort = ports["http"] ?? 0
        httpsPort = ports["https"] ?? 0
    }

    /// The arguments that point statusd's lookups here and its HTTP checks at the web servers' port.
    var statusdArguments: [String] { ["--dns-server", "127.0.0.1:\(dnsPort)"] }
    var statusdEnvironment: [String: String] { ["STATUSD_TEST_DOMAIN_HTTP_PORT": "\(httpPort)"] }

    /// Replaces what the world answers. `addresses` gives each name the same answer every time;
    /// `addressSequence` one answer per query, the last repeating; requests for a `silent` path are
    /// accepted and never answered.
    func publish(
        txt: [String: [String]] = [:], http: [String: String] = [:], addresses: [String: [String]] = [:],
        addressSequence: [String: [[String]]] = [:], redirects: [String: String] = [:], silent: [String] = []
    ) throws {
        let sequences = addresses.mapValues { [$0] }.merging(addressSequence) { $1 }
        try JSONSerialization.data(
            withJSONObject: [
                "txt": txt, "http": http, "addresses": sequences, "redirects": redirects, "silent": silent,
            ]
        ).write(to: records, options: .atomic)
    }

    /// What the servers saw so far: connections per address, Host headers, TLS server names.
    private func seen() -> [String: Any] {
        guard let data = try? Data(contentsOf: records.appendingPathExtension("seen")) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// Connections each listening address has received so far.
    func connections() -> [String: Int] { seen()["connections"] as? [String: Int] ?? [:] }

    /// The Host headers of the requests received so far, in order.
    func hosts() -> [String] { seen()["hosts"] as? [String] ?? [] }

    /// The server names (SNI) TLS clients sent so far, in order.
    func serverNames() -> [String] { seen()["sni"] as? [String] ?? [] }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: records)
        try? FileManager.default.removeItem(at: records.appendingPathExtension("seen"))
    }
}
