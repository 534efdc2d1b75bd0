import ArgumentParser
import Auth
import Engine
import Foundation
import HTTP
import Hummingbird
import HummingbirdCore
import Lifecycle
import Live
import Logging
import Mustache
import NIOCore
import NIOPosix
import Notify
import Outbound
import OutboundClient
import Persistence
import PostgresLog
import Prometheus
import ServiceLifecycle
import StatuspageCompat
import UnixSignals
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// The `statusd` executable.
@main
struct Statusd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statusd",
        abstract: "A self-hosted, multi-tenant status page server.",
        version: StatusdVersion.current,
        subcommands: [
            Serve.self, CheckWALCommand.self, InspectCommand.self, SnapshotCommand.self, RestoreCommand.self,
            BackupCommand.self, DemoSnapshotCommand.self, OrgCommandGroup.self, ImportCommandGroup.self,
            ClusterCommandGroup.self, ConfigCommandGroup.self, HealthCommand.self,
        ],
        defaultSubcommand: Serve.self)

    /// Parses the command line with the configuration file's and the environment's settings put in
    /// front of `serve`'s options (`ConfigurationSources`), then runs the command.
    static func main() async {
        do {
            let names = ServeOptions.settingNames
            let arguments = try ConfigurationSources.expand(
                Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
                options: names.options, flags: names.flags)
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as ConfigurationSources.Failure {
            FileHandle.standardError.write(Data("Error: \(failure)\n".utf8))
            Foundation.exit(64)
        } catch {
            exit(withError: error)
        }
    }
}

/// `statusd serve`: recover, then listen.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server.")

    @OptionGroup var options: ServeOptions

    func run() async throws {
        // A file-size limit (ulimit -f) must fail a write with EFBIG, which the log reports and
        // survives as a failed disk, not kill the process with SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        let level = options.logLevel.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "statusd")
        let metrics = PrometheusCollectorRegistry()
        let configuration = options.walConfiguration
        let dataDir = options.dataDir
        // Test-only (end-to-end tests of a failing disk), deliberately not a flag: nobody should find it
        // in --help. The faults apply to this data directory only.
        if let faults = ProcessInfo.processInfo.environment["STATUSD_TEST_FILE_FAULTS"] {
            FileFaults.install(try FileFaults.Rule.parse(faults), under: dataDir)
        }
        // Test-only as well: the golden-response test (Tests/Golden) freezes the clock and makes ids a
        // seeded sequence, so that the same requests get the same bytes in every run.
        if let frozen = ProcessInfo.processInfo.environment["STATUSD_TEST_FROZEN_AT"] {
            guard let instant = ISO8601DateFormatter().date(from: frozen) else {
                throw OperationFailure("STATUSD_TEST_FROZEN_AT is not an ISO 8601 time: \(frozen)")
            }
            WallClock.freeze(at: instant)
        }
        // Before the data directory is opened: a certificate that cannot be served refuses the start.
        let certificate = try servedCertificate()
        if let certificate { logger.info("https with \(certificate.summary)") }
        let environment = ProcessInfo.processInfo.environment
        let secrets = try ConfigurationSources.secrets(
            configPath: options.config ?? environment["STATUSD_CONFIG"], environment: environment)
        let storage = try await ServedStorage.open(
            dataDir: dataDir, configuration: configuration, postgresURL: secrets["postgres-url"], logger: logger)
        let (dataDirectory, log, states) = (storage.dataDirectory, storage.log, storage.states)
        let hub = LiveHub(
            heartbeat: .seconds(Int64(options.liveHeartbeatSeconds)),
            topicIdle: .seconds(Int64(options.liveTopicIdleSeconds)), keepsUnfollowedRings: storage.cluster != nil)
        hub.startSweeping(on: MultiThreadedEventLoopGroup.singleton.next())
        defer { hub.stopSweeping() }
        let archive = try HistoryArchive(directory: dataDirectory, logger: logger)
        let cluster: ClusterServices?
        if let node = storage.cluster {
            do {
                cluster = try await ClusterServices.open(
                    node: node, archive: archive, mayLead: options.clusterLeader, logger: logger)
            } catch {
                await storage.close()
                throw error
            }
        } else {
            cluster = nil
        }
        // Alone on its log, the process does the work that runs once; in a cluster, the leader does.
        let leads: @Sendable () -> Bool = { cluster?.leads ?? true }
        let doorbell = DeliveryDoorbell()
        let deliveryLog = DeliveryLog()
        let registry = Registry(log: log, quotas: try OrgQuotas.parse(options.quotas), claims: cluster?.names) {
            view, events in
            hub.publish(view, events)
            doorbell.published(events)
        }
        registry.restore(Array(states.organizations.values))
        let directory = Directory(state: states.directory, log: log)
        if options.demo { try await DemoOrganization.seed(registry: registry, directory: directory) }

        let snapshotStatus = SnapshotStatus()
        let tokens: SessionTokens
        if let secret = secrets["session-secret"] {
            tokens = try SessionTokens(secret: secret)
        } else if let cluster {
            // One key for every node, never a per-node file: a session made on one is valid on all.
            tokens = SessionTokens(clusterKey: try await cluster.sessionKey())
        } else {
            tokens = try SessionTokens.load(dataDirectory: dataDirectory.path)
        }
        var oidc: OIDCVerifier? = nil
        if let configuration = options.oidcConfiguration {
            oidc = try await OIDCVerifier(configuration: configuration, logger: logger)
        }
        let usage = KeyUsage(dataDirectory: dataDirectory.path)
        let authenticator = Authenticator(
            registry: registry, directory: directory, sessions: tokens, oidc: oidc, usage: usage, logger: logger)
        let requestMetrics = RequestMetrics(registry: metrics)
        let representation = CachedRepresentation(
            policy: CachePolicy(maxAge: options.cacheMaxAge, staleWhileRevalidate: options.cacheStaleWhileRevalidate))
        let pages = try PageTemplates.library()
        let router = try makeRouter(
            registry: registry, directory: directory, authenticator: authenticator, tokens: tokens, log: log,
            archive: archive, snapshotStatus: snapshotStatus, metrics: metrics, requestMetrics: requestMetrics,
            representation: representation, hub: hub, pages: pages, deliveryLog: deliveryLog, leads: leads)
        // The public summary below the router, unless asked not to; the access log is the router's, so
        // logging every request turns the fast path off.
        let fastPath =
            options.publicFastPath && !options.accessLog
            ? PublicReadFastPath.Shared(
                registry: registry, representation: representation, metrics: requestMetrics, serverName: "statusd",
                pages: pages, mailAvailable: options.deliverableChannels.contains(.email))
            : nil
        let snapshotter = Snapshotter(
            registry: registry, status: snapshotStatus, directory: directory, log: log,
            store: storage.snapshots,
            interval: .seconds(options.snapshotIntervalSeconds), everyEvents: options.snapshotEveryEvents,
            logger: logger, sharing: cluster?.snapshotSharing)
        let demo = options.demo
        let listening = ListeningAddress()
        let requestTimeout = TimeAmount.seconds(Int64(options.requestTimeoutSeconds))
        let admission = LiveAdmission(limits: options.liveLimits, metrics: metrics)
        let derived = options.liveMaxConnections == nil ? " (the open-file limit less 500)" : ""
        logger.info("live connections: at most \(options.liveLimits.connections)\(derived)")
        let liveFeeds = LiveFeedHandler.Shared(
            registry: registry, hub: hub, admission: admission,
            webSocket: WebSocketSession.Shared(
                registry: registry, directory: directory, hub: hub, admission: admission, authenticator: authenticator),
            trustedProxies: try TrustedProxies.parse(options.trustedProxies), origins: options.corsOriginSet,
            serverName: "statusd")
        // Caught from here on: a SIGHUP that comes once statusd says it listens never ends it.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        // HSTS first of statusd's handlers, where every response head passes (only over https).
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: (certificate == nil ? [] : [StrictTransportSecurityHandler()]) + [
                RequestIntakeHandler(limit: requestTimeout), LiveFeedHandler(liveFeeds),
            ] + (fastPath.map { [PublicReadFastPath($0)] } ?? []))
        let scheme = certificate == nil ? "http" : "https"
        let app = Application(
            responder: router.buildResponder(),
            server: certificate.map { .http1(configuration: http1, certificate: $0) } ?? .http1(configuration: http1),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "statusd"),
            services: [
                MaintenanceTimer(
                    registry: registry, directory: directory, archive: archive, leads: leads,
                    sharing: cluster?.archiveSharing, logger: logger),
                snapshotter,
            ],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                listening.address = "\(channel.localAddress?.ipAddress ?? options.host):\(port)"
                let base = "\(scheme)://\(channel.localAddress?.ipAddress ?? "127.0.0.1"):\(port)"
                var lines = "statusd listening on \(base)\n  version:        \(StatusdVersion.current)\n"
                lines += "  health:         \(base)/health\n"
                lines += "  metrics:        \(base)/metrics\n"
                lines += "  API docs:       \(base)/docs\n"
                lines += "  dashboard:      \(base)/dashboard\n"
                if demo || registry.organization(slug: DemoOrganization.slug) != nil {
                    lines += "  demo page:      \(base)/status/\(DemoOrganization.slug)\n"
                    lines += "  demo summary:   \(base)/api/status/\(DemoOrganization.slug)\n"
                }
                // Unbuffered: tests and scripts read the port from this line while the server runs.
                FileHandle.standardOutput.write(Data(lines.utf8))
            },
            logger: logger)
        let (deliverer, localJournal) = try NotificationServices.deliverer(
            options: options, smtpPassword: secrets["smtp-password"], registry: registry, cluster: cluster,
            dataDirectory: dataDirectory.path, tokens: tokens, doorbell: doorbell, log: deliveryLog, leads: leads,
            metrics: metrics, logger: logger)
        defer { localJournal.close() }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app),
            .init(service: deliverer),
            .init(
                service: KeyUsageWriter(
                    usage: usage, registry: registry, sharing: cluster?.keyUsageSharing, logger: logger)),
            .init(
                service: LogFailureWatch(log: log, logger: logger),
                successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: LogProbe(log: log)),
            .init(service: ReloadOnHangup(signals: hangups, certificate: certificate, logger: logger)),
        ]
        if let redirectPort = options.tlsRedirectPort {
            services.append(
                .init(
                    service: HTTPSRedirect.application(
                        host: options.host, port: redirectPort,
                        httpsPort: { [port = options.port] in listening.port ?? port }, logger: logger)))
        }
        if let cluster {
            services += cluster.services(
                registry: registry, directory: directory, hub: hub, admission: admission, listening: listening,
                readyLagLimit: Double(options.clusterReadyLagSeconds),
                liveLagLimit: Double(options.clusterLiveLagSeconds))
        }
        if let adminPort = options.adminPort {
            let operatorRoutes = OperatorRoutes(
                registry: registry, directory: directory, snapshotter: snapshotter, dataDirectory: dataDirectory.path,
                clusterMode: storage.cluster != nil)
            services.append(.init(service: operatorApplication(operatorRoutes, port: adminPort, logger: logger)))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await cluster?.close()
            await storage.close()
            throw error
        }
        if let failure = log.report.failure {
            // Nothing more can be made durable: no final snapshot (recovery reads the log as it is).
            await cluster?.close()
            await storage.close()
            throw OperationFailure("stopped because the event log failed: \(failure)")
        }
        // HTTP has drained: a final snapshot makes the next start-up replay nothing.
        do {
            try await snapshotter.take()
        } catch {
            logger.error("final snapshot failed (the log still has everything): \(error)")
        }
        await cluster?.close()
        await storage.close()
    }

    /// The certificate to serve https with, when `--tls-certificate` asks for https.
    private func servedCertificate() throws -> ServedCertificate? {
        guard let certificatePath = options.tlsCertificate, let keyPath = options.tlsKey else { return nil }
        do {
            return try ServedCertificate(certificatePath: certificatePath, keyPath: keyPath)
        } catch {
            throw OperationFailure("\(error)")
        }
    }

    /// Every route, behind the middleware that turns errors into problem+json, checked against the
    /// OpenAPI document.
    private func makeRouter(
        registry: Registry, directory: Directory, authenticator: Authenticator, tokens: SessionTokens,
        log: any ServedEventLog, archive: HistoryArchive, snapshotStatus: SnapshotStatus,
        metrics: PrometheusCollectorRegistry,
        requestMetrics: RequestMetrics, representation: CachedRepresentation, hub: LiveHub,
        pages: MustacheLibrary, deliveryLog: any NotificationLogReading, leads: @escaping @Sendable () -> Bool
    ) throws -> Router<StatusdRequestContext> {
        let router = Router(context: StatusdRequestContext.self)
        // Outermost: every answer carries its request id, and is logged when --access-log asks.
        router.add(
            middleware: RequestLogMiddleware(
                proxies: try TrustedProxies.parse(options.trustedProxies), accessLog: options.accessLog))
        // Outside the problem middleware, so that it counts the problem responses too.
        router.add(middleware: RequestMetricsMiddleware(metrics: requestMetrics))
        router.add(middleware: ProblemMiddleware(dialects: [.statuspageV1]))
        let known = KnownRoutes()
        router.add(middleware: MethodNotAllowedMiddleware(routes: known))
        // Inside it, so that a refused preflight is a problem+json answer.
        router.add(middleware: CORSPolicyMiddleware(origins: options.corsOriginSet))
        HealthRoutes(
            registry: registry, log: log, snapshots: snapshotStatus, startedAt: WallClock.now(),
            readyLagLimit: Double(options.clusterReadyLagSeconds), leads: leads
        ).add(to: router)
        MetricsRoutes(registry: metrics, organizations: registry, log: log, snapshots: snapshotStatus, hub: hub).add(
            to: router)
        PublicStatusRoutes(registry: registry, representation: representation).add(to: router)
        PublicTimelineRoutes(registry: registry, representation: representation).add(to: router)
        StatuspagePublicRoutes(registry: registry, representation: representation, baseURL: options.publicBaseURL)
            .add(to: router)
        FeedAndBadgeRoutes(registry: registry, representation: representation, baseURL: options.publicBaseURL)
            .add(to: router)
        LiveRoutes(registry: registry, origins: options.corsOriginSet).add(to: router)
        SubscriptionLinkRoutes(registry: registry, links: SubscriptionLinks(sessions: tokens), library: pages).add(
            to: router)
        PublicSubscribeRoutes(
            registry: registry, library: pages, throttle: SubscribeThrottle(),
            mailAvailable: options.deliverableChannels.contains(.email)
        ).add(to: router)
        StatusPageRoutes(
            registry: registry, representation: representation, archive: archive, library: pages,
            mailAvailable: options.deliverableChannels.contains(.email)
        ).add(
            to: router)
        DashboardRoutes().add(to: router)
        var api = ResourceAPI(registry: registry, authenticator: authenticator, archive: archive)
        api.ownHosts = Set([URL(string: options.publicBaseURL)?.host?.lowercased()].compactMap { $0 })
        AuthRoutes(
            authenticator: authenticator, registry: registry, directory: directory,
            hasher: PasswordHasher(cost: .configured), tokens: tokens, policy: options.accountPolicy,
            throttle: LoginThrottle()
        ).add(to: router)
        OrganizationRoutes(api: api).add(to: router)
        TeamRoutes(api: api, directory: directory, invitationLifetime: options.invitationHours * 3_600).add(
            to: router)
        ServiceRoutes(api: api).add(to: router)
        ServiceHistoryRoutes(api: api, representation: representation).add(to: router)
        GroupRoutes(api: api).add(to: router)
        IncidentRoutes(api: api).add(to: router)
        MaintenanceRoutes(api: api).add(to: router)
        KeyRoutes(api: api).add(to: router)
        SubscriberRoutes(api: api, deliverable: options.deliverableChannels).add(to: router)
        NotificationLogRoutes(api: api, log: deliveryLog).add(to: router)
        DomainRoutes(
            api: api,
            verifier: DomainVerifier(
                dnsServer: try options.txtServerAddress(),
                client: OutboundClient(
                    policy: try options.outboundPolicy(),
                    resolver: AddressResolver(dnsServer: try options.configuredDNSServer()),
                    metrics: metrics),
                httpPortOverride: ProcessInfo.processInfo.environment["STATUSD_TEST_DOMAIN_HTTP_PORT"].flatMap {
                    Int($0)
                })
        ).add(to: router)
        let v1 = StatuspageV1API(api: api, baseURL: options.publicBaseURL)
        let v1Routes = V1Router(router.group("/v1"))
        V1PageRoutes(v1: v1).add(to: v1Routes)
        V1ComponentRoutes(v1: v1).add(to: v1Routes)
        V1GroupRoutes(v1: v1).add(to: v1Routes)
        V1IncidentRoutes(v1: v1).add(to: v1Routes)
        V1SubscriberRoutes(v1: v1, deliverable: options.deliverableChannels).add(to: v1Routes)
        V1UserRoutes(v1: v1, directory: directory, invitationLifetime: options.invitationHours * 3_600).add(
            to: v1Routes)
        let openAPI = OpenAPIDocument([.core, .statuspage])
        try DocsRoutes(document: openAPI).add(to: router)
        try openAPI.check(router)
        known.load(router.routes.map { (path: "\($0.path)", method: $0.method) })
        return router
    }

    /// The operator port: its own listener on a loopback address (validated), so that the public
    /// port never routes to `/admin`.
    private func operatorApplication(_ routes: OperatorRoutes, port: Int, logger: Logger) -> some ServiceLifecycle
        .Service
    {
        let router = Router(context: StatusdRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        routes.add(to: router)
        let host = options.adminHost
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "statusd-operator"),
            onServerRunning: { channel in
                let base = "http://\(channel.localAddress?.ipAddress ?? host):\(channel.localAddress?.port ?? 0)"
                FileHandle.standardOutput.write(Data("statusd operator port on \(base)\n".utf8))
            },
            logger: logger)
    }
}
