import ArgumentParser
import Auth
import Engine
import Foundation
import HTTP
import Live
import Logging
import NIOCore
import Outbound
import Persistence
import StatuspageCompat
import Wire

/// The options of `statusd serve`. Each has a default and a unit where it has one; each can also be
/// set in a configuration file or a `STATUSD_<NAME>` environment variable (`ConfigurationSources`).
struct ServeOptions: ParsableArguments {
    @Option(
        help:
            "A configuration file of 'name = value' lines (also STATUSD_CONFIG); STATUSD_<NAME> variables override it, options override both."
    )
    var config: String?

    @Option(help: "Address to listen on. Loopback by default: put a proxy in front to serve the world.")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free one and prints it.")
    var port = 8080

    @Option(
        help:
            "PEM file of the certificate chain to serve https with (with --tls-key); both files are read again on SIGHUP."
    )
    var tlsCertificate: String?

    @Option(help: "PEM file of the certificate's private key, readable by statusd's user only (0600 or 0640).")
    var tlsKey: String?

    @Option(help: "With TLS: a port that answers plain HTTP with a redirect to https (e.g. 80). Off unless given.")
    var tlsRedirectPort: Int?

    @Option(help: "Data directory: the write-ahead log, snapshots and the lock file live here.")
    var dataDir = "data"

    @Option(help: "When a write is acknowledged: always (after fdatasync), interval, or none. See README 'Durability'.")
    var fsync = FsyncSetting.always

    @Option(help: "Milliseconds between fdatasyncs under --fsync interval.")
    var fsyncIntervalMs = 1_000

    @Option(help: "Size of each WAL segment file in MiB (preallocated with zeros).")
    var walSegmentMib = 64

    @Option(help: "Seconds between snapshots when anything changed.")
    var snapshotIntervalSeconds = 300

    @Option(help: "Take a snapshot after this many events, whatever the interval.")
    var snapshotEveryEvents = 100_000

    @Option(
        help:
            "Per-organization limits, e.g. services=500,active_incidents=100 (names: \(OrgQuotas.optionNames.keys.sorted().joined(separator: ", ")))."
    )
    var quotas = ""

    @Flag(inversion: .prefixedNo, help: "Create the demo organization 'demo' at start when it does not exist.")
    var demo = false

    @Option(help: "Seconds public reads may be cached (Cache-Control max-age).")
    var cacheMaxAge = 5

    @Option(help: "Seconds a cache may serve a stale public read while it revalidates.")
    var cacheStaleWhileRevalidate = 30

    @Option(help: "Who may sign up: open, invite-only (with an invitation for the same email) or off.")
    var signup = SignupSetting.open

    @Option(help: "Hours a login session lasts.")
    var sessionHours = 168

    @Option(help: "Hours an invitation stays open (fractions allowed: 0.5 is half an hour).")
    var invitationHours = 168.0

    @Option(help: "OpenID Connect: the issuer (iss) tokens must carry, e.g. https://tenant.eu.auth0.com/.")
    var oidcIssuer: String?

    @Option(help: "OpenID Connect: the audience (aud) tokens must include.")
    var oidcAudience: String?

    @Option(
        help: "OpenID Connect: the provider's JWKS, a file path or an http(s) URL (fetched again on an unknown key id)."
    )
    var oidcJwks: String?

    @Option(
        help:
            "Proxies whose X-Forwarded-For names the client: addresses or CIDR ranges, comma-separated (e.g. 127.0.0.1,10.0.0.0/8). None by default."
    )
    var trustedProxies = ""

    @Option(
        help:
            "Browser origins allowed to call the API, comma-separated (https://status.example.com), or * for any. Public reads allow any origin regardless."
    )
    var corsOrigins = ""

    @Option(
        help:
            "Where people reach statusd (https://status.example.com): the base of page links in the Statuspage-compatible documents; defaults to http://<host>:<port>."
    )
    var publicURL: String?

    @Option(
        help:
            "DNS server asked for the addresses of names tenants chose and the custom-domain check's TXT record (address or address:port); the system's resolver by default."
    )
    var dnsServer: String?

    @Option(
        help:
            "Ranges statusd may connect to for tenants (domain checks) although they are not public, in CIDR form, comma-separated (e.g. 10.20.0.0/16). None by default; never 0.0.0.0/0."
    )
    var outboundAllow = ""

    @Option(
        help:
            "Seconds before a failed notification is tried again; each next wait doubles (7.5 s and 10 attempts: the last about an hour after the first)."
    )
    var notifyRetryBaseSeconds = 7.5

    @Option(help: "Notifications sent at once (webhooks, chat, mails handed to the mail server's connections).")
    var notifyConcurrency = 64

    @Option(
        help:
            "Mail server for email subscribers: smtp://host:port (STARTTLS) or smtps://host:port (TLS). No email subscribers without it. The password is the secret setting smtp-password (file or environment)."
    )
    var smtpURL: String?

    @Option(help: "Address mails come from (the page's name is shown beside it), e.g. status@example.com.")
    var smtpFrom: String?

    @Option(help: "User name to log in to the mail server with (with the secret setting smtp-password).")
    var smtpUsername: String?

    @Option(help: "PEM file of the certificate authorities the mail server's certificate is checked against.")
    var smtpCaFile: String?

    @Flag(
        inversion: .prefixedNo,
        help: "Refuse to send over smtp:// without STARTTLS. Off only for a relay on the same host.")
    var smtpStarttls = true

    @Option(help: "Connections kept open to the mail server (mails in flight at once).")
    var smtpConnections = 4

    @Option(help: "Mails a second at most (the mail server's own limit); 0: no limit.")
    var smtpPerSecond = 0.0

    @Option(help: "Least severe log level written: trace, debug, info, notice, warning, error or critical.")
    var logLevel = LogLevelSetting.info

    @Flag(inversion: .prefixedNo, help: "Log one line per request (route, status, milliseconds, client, request id).")
    var accessLog = false

    @Flag(
        inversion: .prefixedNo,
        help:
            "Answer the public summary on the connection's event loop, below the router (same bytes and headers). Off with --access-log."
    )
    var publicFastPath = true

    @Option(
        help:
            "Seconds a request may take to arrive whole (headers, then body), and an idle keep-alive connection may stay open."
    )
    var requestTimeoutSeconds = 30

    @Option(help: "Seconds between heartbeats on an idle live stream (keeps proxies from closing it).")
    var liveHeartbeatSeconds = 15

    @Option(
        help:
            "Live connections (WebSocket and Server-Sent Events) in all; by default the process's open-file limit less 500 for everything else."
    )
    var liveMaxConnections: Int?

    @Option(help: "Live connections from one client address.")
    var liveMaxPerAddress = 4_000

    @Option(help: "Organizations one WebSocket may follow.")
    var liveMaxSubscriptions = 32

    @Option(help: "KiB a live reader may leave unread before it is closed as too slow.")
    var liveQueueKib = 1_024

    @Option(help: "Seconds GET /ws waits for credentials, and a WebSocket for its first subscription.")
    var liveAuthTimeoutSeconds = 10

    @Option(help: "Seconds an organization nobody follows live keeps its ring of recent frames (for resuming).")
    var liveTopicIdleSeconds = 300

    @Option(
        help:
            "Cluster mode: seconds a node may trail the event log before /ready answers 503 (a load balancer drains it)."
    )
    var clusterReadyLagSeconds = 5

    @Option(
        help:
            "Cluster mode: seconds a node may trail the event log before it closes its live connections (1013, reconnect elsewhere)."
    )
    var clusterLiveLagSeconds = 30

    @Flag(
        inversion: .prefixedNo,
        help:
            "Cluster mode: whether this node may lead (run the maintenance timers, the archive pass and the shared snapshots); --no-cluster-leader for nodes that only serve."
    )
    var clusterLeader = true

    @Option(
        help:
            "Port of the operator endpoints (/admin/snapshot, /admin/organizations, /admin/backup); off unless given, 0 picks a free one."
    )
    var adminPort: Int?

    @Option(help: "Address of the operator port: a loopback address only, since it asks for no credential.")
    var adminHost = "127.0.0.1"

    mutating func validate() throws {
        let problems = problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "\n")) }
    }

    /// Every problem of these settings, each in one line (`statusd config check` lists them all; `serve`
    /// refuses to start with them). Each check stands alone, so one mistake does not hide the next.
    func problems() -> [String] {
        let checks: [() throws -> Void] = [
            {
                do {
                    _ = try TrustedProxies.parse(trustedProxies)
                } catch let failure as OperationFailure {
                    throw ValidationError(failure.description)
                }
            },
            {
                _ = try outboundPolicy()
            },
            {
                for origin in corsOriginSet where origin != "*" {
                    guard origin.hasPrefix("https://") || origin.hasPrefix("http://"), !origin.hasSuffix("/") else {
                        throw ValidationError(
                            "--cors-origins: '\(origin)' is not an origin such as https://status.example.com (no path, no trailing /)"
                        )
                    }
                }
            },
            {
                _ = try OrgQuotas.parse(quotas)
            },
            {
                let oidc = [oidcIssuer, oidcAudience, oidcJwks].compactMap { $0 }
                guard oidc.isEmpty || oidc.count == 3 else {
                    throw ValidationError(
                        "--oidc-issuer, --oidc-audience and --oidc-jwks go together: give all three or none")
                }
            },
            {
                guard (1...8_760).contains(sessionHours) else {
                    throw ValidationError("--session-hours must be 1...8760")
                }
            },
            {
                guard invitationHours > 0, invitationHours <= 8_760 else {
                    throw ValidationError("--invitation-hours must be more than 0 and at most 8760")
                }
            },
            {
                guard (1...86_400).contains(snapshotIntervalSeconds) else {
                    throw ValidationError("--snapshot-interval-seconds must be 1...86400")
                }
            },
            {
                guard snapshotEveryEvents >= 1 else {
                    throw ValidationError("--snapshot-every-events must be 1 or more")
                }
            },
            {
                guard (1...1_024).contains(walSegmentMib) else {
                    throw ValidationError("--wal-segment-mib must be 1...1024")
                }
            },
            {
                guard (1...60_000).contains(fsyncIntervalMs) else {
                    throw ValidationError("--fsync-interval-ms must be 1...60000")
                }
            },
            {
                guard (0...65_535).contains(port) else {
                    throw ValidationError("--port must be 0...65535, got \(port)")
                }
            },
            {
                guard (1...3_600).contains(liveHeartbeatSeconds) else {
                    throw ValidationError("--live-heartbeat-seconds must be 1...3600, got \(liveHeartbeatSeconds)")
                }
            },
            {
                _ = try configuredDNSServer()
            },
            {
                if let publicURL {
                    guard publicURL.hasPrefix("https://") || publicURL.hasPrefix("http://"), !publicURL.hasSuffix("/"),
                        URL(string: publicURL)?.host != nil
                    else {
                        throw ValidationError(
                            "--public-url must be an http(s) URL without a trailing slash, got '\(publicURL)'")
                    }
                }
            },
            {
                guard (tlsCertificate == nil) == (tlsKey == nil) else {
                    throw ValidationError("--tls-certificate and --tls-key go together: give both or neither")
                }
            },
            {
                if let tlsRedirectPort {
                    guard tlsCertificate != nil else {
                        throw ValidationError("--tls-redirect-port redirects to https: it needs --tls-certificate")
                    }
                    guard (0...65_535).contains(tlsRedirectPort), tlsRedirectPort != port || port == 0 else {
                        throw ValidationError(
                            "--tls-redirect-port must be 0...65535 and not --port, got \(tlsRedirectPort)")
                    }
                }
            },
            {
                guard (liveMaxConnections ?? 1) >= 1, liveMaxPerAddress >= 1, liveMaxSubscriptions >= 1 else {
                    throw ValidationError(
                        "--live-max-connections, --live-max-per-address and --live-max-subscriptions must be 1 or more")
                }
            },
            {
                guard (16...1_048_576).contains(liveQueueKib) else {
                    throw ValidationError("--live-queue-kib must be 16...1048576, got \(liveQueueKib)")
                }
            },
            {
                guard (1...86_400).contains(liveTopicIdleSeconds) else {
                    throw ValidationError("--live-topic-idle-seconds must be 1...86400, got \(liveTopicIdleSeconds)")
                }
            },
            {
                guard (1...3_600).contains(clusterReadyLagSeconds), (1...3_600).contains(clusterLiveLagSeconds),
                    clusterReadyLagSeconds <= clusterLiveLagSeconds
                else {
                    throw ValidationError(
                        "--cluster-ready-lag-seconds and --cluster-live-lag-seconds must be 1...3600, the first at most the second"
                    )
                }
            },
            {
                guard (1...3_600).contains(liveAuthTimeoutSeconds) else {
                    throw ValidationError("--live-auth-timeout-seconds must be 1...3600, got \(liveAuthTimeoutSeconds)")
                }
            },
            {
                guard notifyRetryBaseSeconds > 0, notifyRetryBaseSeconds <= 3_600 else {
                    throw ValidationError("--notify-retry-base-seconds must be more than 0 and at most 3600")
                }
            },
            {
                guard (1...10_000).contains(notifyConcurrency) else {
                    throw ValidationError("--notify-concurrency must be 1...10000, got \(notifyConcurrency)")
                }
            },
            {
                try validateMail()
            },
            {
                guard (1...3_600).contains(requestTimeoutSeconds) else {
                    throw ValidationError("--request-timeout-seconds must be 1...3600, got \(requestTimeoutSeconds)")
                }
            },
            {
                if let adminPort, !(0...65_535).contains(adminPort) {
                    throw ValidationError("--admin-port must be 0...65535, got \(adminPort)")
                }
            },
            {
                guard TrustedProxies.loopback.trusts(adminHost) else {
                    throw ValidationError(
                        "--admin-host must be a loopback address (127.x.x.x or ::1), got '\(adminHost)'")
                }
            },
            {
                guard cacheMaxAge >= 0 else { throw ValidationError("--cache-max-age must be 0 or more seconds") }
            },
            {
                guard cacheStaleWhileRevalidate >= 0 else {
                    throw ValidationError("--cache-stale-while-revalidate must be 0 or more seconds")
                }
            },
        ]
        return checks.compactMap { check in
            do {
                try check()
                return nil
            } catch {
                return "\(error)"
            }
        } + fileProblems()
    }

    /// `--cors-origins` as a set.
    var corsOriginSet: Set<String> {
        Set(corsOrigins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    /// The base of the page links statusd writes into documents for other tools.
    var publicBaseURL: String { publicURL ?? "\(servesTLS ? "https" : "http")://\(host):\(port)" }

    /// Whether the public port serves https.
    var servesTLS: Bool { tlsCertificate != nil }

    /// Who may be connected to for a tenant: public addresses, and the `--outbound-allow` ranges.
    /// - Throws: `ValidationError` naming an entry that is not a range, or one that allows everything.
    func outboundPolicy() throws -> OutboundPolicy {
        do {
            return OutboundPolicy(allowed: try OutboundPolicy.allowList(outboundAllow))
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The server the custom-domain check asks for its TXT record: `--dns-server`, else the system's
    /// first nameserver. - Throws: `ValidationError` for one that is not an address.
    func txtServerAddress() throws -> SocketAddress? {
        try configuredDNSServer() ?? DNSClient.systemServer()
    }

    /// `--dns-server` as an address (port 53 unless given); nil when not set.
    /// - Throws: `ValidationError` for one that is not an address.
    func configuredDNSServer() throws -> SocketAddress? {
        guard let dnsServer else { return nil }
        var host = dnsServer
        var port = 53
        if let colon = dnsServer.lastIndex(of: ":"), dnsServer.filter({ $0 == ":" }).count == 1 {
            host = String(dnsServer[..<colon])
            guard let number = Int(dnsServer[dnsServer.index(after: colon)...]), (1...65_535).contains(number) else {
                throw ValidationError("--dns-server must be an address or address:port, got '\(dnsServer)'")
            }
            port = number
        }
        guard let address = try? SocketAddress(ipAddress: host, port: port) else {
            throw ValidationError("--dns-server must be an IP address (or address:port), got '\(dnsServer)'")
        }
        return address
    }

    /// The limits of the live feeds.
    var liveLimits: LiveAdmission.Limits {
        var limits = LiveAdmission.Limits()
        limits.connections = liveMaxConnections ?? Self.liveConnectionsByFileLimit()
        limits.perAddress = liveMaxPerAddress
        limits.subscriptionsPerConnection = liveMaxSubscriptions
        limits.queueBytes = liveQueueKib * 1_024
        limits.authTimeout = .seconds(Int64(liveAuthTimeoutSeconds))
        return limits
    }

    /// Live connections when `--live-max-connections` is not given: each is an open file, so the
    /// process's own limit (systemd's `LimitNOFILE`, `ulimit -n`) less 500 for the log, snapshots,
    /// outbound connections and ordinary requests; at least 100.
    static func liveConnectionsByFileLimit() -> Int {
        var limit = rlimit()
        #if os(Linux)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else { return 19_500 }
        return max(100, Int(clamping: limit.rlim_cur) - 500)
    }

    /// The OpenID Connect provider, when one is configured.
    var oidcConfiguration: OIDCVerifier.Configuration? {
        guard let oidcIssuer, let oidcAudience, let oidcJwks else { return nil }
        return OIDCVerifier.Configuration(issuer: oidcIssuer, audience: oidcAudience, jwks: oidcJwks)
    }

    /// Sign-up mode, session lifetime, and whether session cookies are Secure (an https public URL).
    var accountPolicy: AccountPolicy {
        AccountPolicy(
            signup: signup.mode, sessionLifetime: Double(sessionHours) * 3_600,
            secureCookies: publicBaseURL.hasPrefix("https://"))
    }

    /// The WAL settings these options ask for.
    var walConfiguration: WALConfiguration {
        let policy = fsync.policy(intervalMs: fsyncIntervalMs)
        return WALConfiguration(fsync: policy, segmentBytesMax: walSegmentMib << 20)
    }

    /// The settings a configuration file and `STATUSD_<NAME>` variables may give, as the command line
    /// spells them (every flag has its `--no-` form, so `false` can always be said). Listed, not found by reflection: `ConfigurationTests` holds this list to what
    /// `statusd serve --help` shows, so a new option that is missing here fails a test.
    static let settingNames: (options: Set<String>, flags: Set<String>) = (
        options: [
            "host",
            "port",
            "tls-certificate",
            "tls-key",
            "tls-redirect-port",
            "data-dir",
            "fsync",
            "fsync-interval-ms",
            "wal-segment-mib",
            "snapshot-interval-seconds",
            "snapshot-every-events",
            "quotas",
            "cache-max-age",
            "cache-stale-while-revalidate",
            "signup",
            "session-hours",
            "invitation-hours",
            "oidc-issuer",
            "oidc-audience",
            "oidc-jwks",
            "trusted-proxies",
            "cors-origins",
            "public-url",
            "dns-server",
            "outbound-allow",
            "log-level",
            "notify-retry-base-seconds",
            "notify-concurrency",
            "smtp-url",
            "smtp-from",
            "smtp-username",
            "smtp-ca-file",
            "smtp-connections",
            "smtp-per-second",
            "request-timeout-seconds",
            "live-heartbeat-seconds",
            "live-max-connections",
            "live-max-per-address",
            "live-max-subscriptions",
            "live-queue-kib",
            "live-auth-timeout-seconds",
            "live-topic-idle-seconds",
            "cluster-ready-lag-seconds",
            "cluster-live-lag-seconds",
            "admin-port",
            "admin-host",
        ],
        flags: [
            "demo",
            "access-log",
            "public-fast-path",
            "cluster-leader",
            "smtp-starttls",
        ]
    )
}
