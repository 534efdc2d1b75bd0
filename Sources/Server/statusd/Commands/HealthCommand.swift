import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// `statusd health`: asks a running statusd for `/health` and exits 0 when it answers 200, 1 otherwise,
/// printing the answer. A container image has no curl: its HEALTHCHECK is this (Dockerfile). By default
/// it asks the port the configuration sets, on loopback, over https when the configuration serves it.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Ask a running statusd for /health; exit 0 when it answers 200.")

    @Option(help: "The configuration file the server runs with (else STATUSD_CONFIG, else the environment).")
    var config: String?

    @Option(help: "The address to ask instead, e.g. http://127.0.0.1:8080/health.")
    var url: String?

    @Option(help: "Seconds to wait for the answer.")
    var timeoutSeconds = 5

    func run() async throws {
        let target = try url ?? defaultURL()
        // The server's own certificate names its public host, not 127.0.0.1: asking itself on
        // loopback, the check is that it answers, not who it is.
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        let outcome: Result<(UInt, String), any Error>
        do {
            let response = try await client.execute(
                HTTPClientRequest(url: target), timeout: .seconds(Int64(timeoutSeconds)))
            let body = try await response.body.collect(upTo: 64 * 1_024)
            outcome = .success((response.status.code, String(buffer: body)))
        } catch {
            outcome = .failure(error)
        }
        try await client.shutdown()
        switch outcome {
        case .success((200, let body)):
            print(body)
        case .success((let status, let body)):
            FileHandle.standardError.write(Data("statusd health: \(target) answered \(status): \(body)\n".utf8))
            throw ExitCode(1)
        case .failure(let error):
            FileHandle.standardError.write(Data("statusd health: \(target): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// `/health` at the configured port on loopback (what `serve` reads: the file, then the environment).
    private func defaultURL() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? environment["STATUSD_CONFIG"]
        let options = try ServeOptions.parse(
            try ConfigurationSources.serveArguments(configPath: path, environment: environment))
        guard options.port != 0 else {
            throw ValidationError("the configuration has statusd pick a free port (port = 0): give --url")
        }
        let wildcard = ["0.0.0.0", "::", "[::]", ""]
        let host = wildcard.contains(options.host) ? "127.0.0.1" : options.host
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(options.servesTLS ? "https" : "http")://\(bracketed):\(options.port)/health"
    }
}
