import ArgumentParser
import Engine
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The `statusd` executable.
@main
struct Statusd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statusd",
        abstract: "A self-hosted, multi-tenant status page server.",
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self)
}

/// `statusd serve`: recover, then listen.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server.")

    @OptionGroup var options: ServeOptions

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "statusd")
        // Until the write-ahead log lands, events live in memory: durable for the process's life only,
        // and /health says so.
        let log = InMemoryEventLog()
        let registry = Registry(log: log)
        let directory = Directory(log: log)
        if options.demo { try await DemoOrganization.seed(registry: registry, directory: directory) }

        let router = Router()
        router.add(middleware: ProblemMiddleware())
        HealthRoutes(registry: registry, logKind: "memory", startedAt: Date()).add(to: router)
        let policy = CachePolicy(maxAge: options.cacheMaxAge, staleWhileRevalidate: options.cacheStaleWhileRevalidate)
        PublicStatusRoutes(registry: registry, representation: CachedRepresentation(policy: policy)).add(to: router)

        let demo = options.demo
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "statusd"),
            services: [MaintenanceTimer(registry: registry, logger: logger)],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let base = "http://\(channel.localAddress?.ipAddress ?? "127.0.0.1"):\(port)"
                var lines = "statusd listening on \(base)\n  health:         \(base)/health\n"
                if demo { lines += "  demo summary:   \(base)/api/status/\(DemoOrganization.slug)\n" }
                // Unbuffered: tests and scripts read the port from this line while the server runs.
                FileHandle.standardOutput.write(Data(lines.utf8))
            },
            logger: logger)
        try await app.runService()
    }
}
