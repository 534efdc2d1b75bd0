import AsyncHTTPClient
package import Foundation
package import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
package import Outbound
package import Prometheus
import Synchronization

/// Every HTTP request statusd makes to an address a tenant chose (a custom domain's well-known file
/// now; webhooks and checks later) goes through here, so that none reaches what `OutboundPolicy`
/// refuses: the host's loopback services, the cloud's metadata endpoint, the private network.
///
/// The name is resolved once (`AddressResolver`), every address it has is checked, and the connection
/// goes to the checked address: AsyncHTTPClient's `dnsOverride` maps the URL's host to it, so the
/// client does no lookup of its own (a second answer cannot differ from the checked one, the DNS
/// rebinding attack) while the Host header, TLS SNI and certificate check still use the name. The
/// override is client-wide, so each hop gets its own short-lived client on the shared event loops;
/// outbound requests are rare next to the reads statusd serves, and a fresh connection per hop is what
/// a check wants anyway. Redirects are not followed by the client but here, each target checked again.
package struct OutboundClient: Sendable {
    /// What a request is for, the label of its metric.
    package enum Purpose: String, Sendable, CaseIterable {
        case domainCheck = "domain_check"
        /// A notification to a subscriber's webhook, Slack, Teams or Discord URL.
        case notification
    }

    /// How long and how much: a tenant's server must not hold statusd's resources.
    package struct Limits: Sendable {
        package var connectTimeout: TimeAmount = .seconds(5)
        /// For the whole request, redirects included.
        package var totalTimeout: TimeAmount = .seconds(10)
        package var redirects = 3
        /// Keep a client per checked destination (host and the address it was checked at) while it is
        /// used, so that deliveries to one host reuse its connections (thousands of Slack webhooks are
        /// one host; a TLS handshake per message would cost more than the message). Every request
        /// still resolves and checks its host first; a new address gets a new client.
        package var reuseClients = false
        /// How long a reused client may sit unused before it is shut down: longer than a request may
        /// take (`totalTimeout`), so none is shut down under a request.
        package var idleClientSeconds: Int64 = 60
        /// Connections open at once to one destination, when clients are reused.
        package var connectionsPerDestination = 8

        package init() {}
    }

    /// A final answer (not a redirect), its body read up to the limit the caller gave.
    package struct Answer: Sendable {
        package let status: Int
        package let body: [UInt8]
        /// The URL that answered, after any redirects.
        package let url: URL
    }

    /// Why there is no answer, in a sentence a tenant may read: it names what statusd refused or could
    /// not reach, never what a refused address would have said.
    package enum Failure: Error, CustomStringConvertible {
        case refused(host: String, address: IPAddress, reason: OutboundPolicy.Refusal)
        case unsupportedURL(String)
        case unresolved(String)
        case tooManyRedirects(Int)
        case tooLarge(limit: Int)
        case unreachable(String)

        package var description: String {
            switch self {
            case .refused(let host, let address, let reason):
                let named =
                    "\(address)" == host
                    ? host
                    : IPAddress(literal: host) == address
                        ? "\(host) is \(address), which" : "\(host) resolves to \(address), which"
                return "refused: \(named) is \(reason.rawValue); statusd connects to public addresses only"
            case .unsupportedURL(let url): return "not an http or https URL with a host: \(url)"
            case .unresolved(let why): return why
            case .tooManyRedirects(let count): return "more than \(count) redirects"
            case .tooLarge(let limit): return "the answer is larger than \(limit) bytes"
            case .unreachable(let why): return why
            }
        }
    }

    package let policy: OutboundPolicy
    package let resolver: AddressResolver
    package let limits: Limits
    private let outcomes: [Purpose: [Outcome: Counter]]
    private let ownAddresses = OwnAddresses()
    private let clients = ReusedClients()
    /// Where the connections run: the process's shared event loops, or a group of the caller's own (the
    /// deliverer's, so that a burst of webhooks never queues behind, or in front of, the server's
    /// requests on the same loops).
    private let eventLoops: any EventLoopGroup

    private enum Outcome: String, CaseIterable {
        case answered, refused, failed
    }

    package init(
        policy: OutboundPolicy, resolver: AddressResolver, limits: Limits = Limits(),
        eventLoops: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, metrics: PrometheusCollectorRegistry
    ) {
        self.policy = policy
        self.resolver = resolver
        self.limits = limits
        self.eventLoops = eventLoops
        outcomes = Dictionary(
            uniqueKeysWithValues: Purpose.allCases.map { purpose in
                (
                    purpose,
                    Dictionary(
                        uniqueKeysWithValues: Outcome.allCases.map { outcome in
                            (
                                outcome,
                                metrics.makeCounter(
                                    descriptor: MetricNameDescriptor(
                                        namespace: "statusd", subsystem: "outbound", metricName: "requests",
                                        unitName: "total",
                                        helpText: "requests to addresses tenants chose, by purpose and outcome"),
                                    labels: [("purpose", purpose.rawValue), ("outcome", outcome.rawValue)])
                            )
                        })
                )
            })
    }

    /// GETs `url`, following up to `limits.redirects` redirects, each checked like the first.
    /// - Parameter bodyLimit: the most bytes of body read; a longer answer is a failure.
    /// - Throws: `Failure`.
    package func get(_ url: URL, purpose: Purpose, bodyLimit: Int, headers: [(String, String)] = [])
        async throws -> Answer
    {
        do {
            let answer = try await follow(url, bodyLimit: bodyLimit, headers: headers)
            outcomes[purpose]?[.answered]?.increment()
            return answer
        } catch let failure as Failure {
            if case .refused = failure {
                outcomes[purpose]?[.refused]?.increment()
            } else {
                outcomes[purpose]?[.failed]?.increment()
            }
            throw failure
        }
    }

    /// POSTs `body` to `url` once. A redirect is not followed: it comes back as the answer (a webhook
    /// that redirects has failed, as Statuspage counts it).
    /// - Throws: `Failure`.
    package func post(
        _ url: URL, purpose: Purpose, body: [UInt8], headers: [(String, String)], bodyLimit: Int = 64 * 1024
    ) async throws -> Answer {
        do {
            let answer = try await fetch(
                url, deadline: .now() + limits.totalTimeout, bodyLimit: bodyLimit, headers: headers, body: body)
            outcomes[purpose]?[.answered]?.increment()
            return Answer(status: answer.status, body: answer.body, url: url)
        } catch let failure as Failure {
            if case .refused = failure {
                outcomes[purpose]?[.refused]?.increment()
            } else {
                outcomes[purpose]?[.failed]?.increment()
            }
            throw failure
        }
    }

    private func follow(_ start: URL, bodyLimit: Int, headers: [(String, String)]) async throws -> Answer {
        let deadline = NIODeadline.now() + limits.totalTimeout
        var url = start
        for hop in 0...limits.redirects {
            let answer = try await fetch(url, deadline: deadline, bodyLimit: bodyLimit, headers: headers)
            guard let location = answer.location else {
                return Answer(status: answer.status, body: answer.body, url: url)
            }
            guard hop < limits.redirects else { throw Failure.tooManyRedirects(limits.redirects) }
            guard let next = URL(string: location, relativeTo: url)?.absoluteURL else {
                throw Failure.unsupportedURL(location)
            }
            url = next
        }
        throw Failure.tooManyRedirects(limits.redirects)
    }

    /// One request to one checked address: its status, and its body unless it redirects.
    private func fetch(
        _ url: URL, deadline: NIODeadline, bodyLimit: Int, headers: [(String, String)], body: [UInt8]? = nil
    ) async throws -> (status: Int, location: String?, body: [UInt8]) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { throw Failure.unsupportedURL(url.absoluteString) }
        let address = try await checkedAddress(of: host)
        if limits.reuseClients {
            let client = clients.client(
                for: ReusedClients.Destination(host: host, address: address),
                idle: .seconds(limits.idleClientSeconds)
            ) { makeClient(host: host, address: address) }
            do {
                return try await exchange(
                    client, url, deadline: deadline, bodyLimit: bodyLimit, headers: headers, body: body)
            } catch {
                if let failure = error as? Failure { throw failure }
                throw Failure.unreachable("\(host) (\(address)): \(Self.sentence(error))")
            }
        }
        let client = makeClient(host: host, address: address)
        do {
            let result = try await exchange(
                client, url, deadline: deadline, bodyLimit: bodyLimit, headers: headers, body: body)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            if let failure = error as? Failure { throw failure }
            throw Failure.unreachable("\(host) (\(address)): \(Self.sentence(error))")
        }
    }

    /// A client that connects `host` to the checked `address` only.
    private func makeClient(host: String, address: IPAddress) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.proxy = nil  // never one from the environment: the connection goes to the checked address
        configuration.timeout = .init(connect: limits.connectTimeout, read: limits.totalTimeout)
        // One attempt: the pool would otherwise retry a failed connection or handshake until the deadline,
        // knocking on a tenant's server again and again and holding the check for the whole timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = limits.connectionsPerDestination
        configuration.dnsOverride = [Self.overrideKey(host): "\(address)"]
        return HTTPClient(eventLoopGroup: eventLoops, configuration: configuration)
    }

    private func exchange(
        _ client: HTTPClient, _ url: URL, deadline: NIODeadline, bodyLimit: Int, headers: [(String, String)],
        body: [UInt8]?
    ) async throws -> (status: Int, location: String?, body: [UInt8]) {
        var request = HTTPClientRequest(url: url.absoluteString)
        if let body {
            request.method = .POST
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        request.headers.add(name: "User-Agent", value: "statusd")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await client.execute(request, deadline: deadline)
        let status = Int(response.status.code)
        if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "Location") {
            return (status, location, [])
        }
        var body: [UInt8] = []
        for try await chunk in response.body {
            guard body.count + chunk.readableBytes <= bodyLimit else { throw Failure.tooLarge(limit: bodyLimit) }
            body += chunk.readableBytesView
        }
        return (status, nil, body)
    }

    /// The address to connect to for `host`, every one it resolves to checked: a name with a refused
    /// address among its answers is refused, whichever address a client would have tried first.
    private func checkedAddress(of host: String) async throws -> IPAddress {
        let addresses: [IPAddress]
        do {
            addresses = try await resolver.addresses(of: host)
        } catch {
            throw Failure.unresolved("\(error)")
        }
        let policy = self.policy.withOwnAddresses(ownAddresses.current())
        for address in addresses {
            if let reason = policy.refusal(for: address) {
                throw Failure.refused(host: host, address: address, reason: reason)
            }
        }
        return addresses[0]
    }

    /// The host as AsyncHTTPClient looks it up in `dnsOverride`: its connection target's host, which
    /// keeps an IPv6 literal in brackets (Foundation's `URL.host` gives it without on Linux).
    static func overrideKey(_ host: String) -> String {
        var unbracketed = host
        if unbracketed.hasPrefix("["), unbracketed.hasSuffix("]") {
            unbracketed = String(unbracketed.dropFirst().dropLast())
        }
        if (try? SocketAddress(ipAddress: unbracketed, port: 0))?.protocol == .inet6 { return "[\(unbracketed)]" }
        return unbracketed
    }

    /// A client error as a reader says it (AsyncHTTPClient's and NIO's errors print as type names).
    private static func sentence(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout:
            "no answer in time"
        case let error as HTTPClientError where error == .connectTimeout:
            "could not connect in time"
        case let error as NIOConnectionError:
            "could not connect (\(error.connectionErrors.first.map { "\($0.error)" } ?? "\(error)"))"
        case let error as NIOSSLError:
            // BoringSSL says which check failed only in its message.
            "the TLS handshake failed"
                + ("\(error)".contains("CERTIFICATE_VERIFY_FAILED")
                    ? ": the certificate is not valid for this name" : "")
        case let error as IOError:
            "could not connect (\(error.description))"
        default:
            "\(error)"
        }
    }
}

/// This host's interface addresses, read again when a second old: they change (DHCP, a VPN coming
/// up) but not per request, and reading them (getifaddrs) cost 7% of a webhook delivery's CPU when read
/// for each one (BENCHMARKS.md, "Notifications").
private final class OwnAddresses: Sendable {
    private let cache = Mutex<(read: ContinuousClock.Instant, addresses: Set<IPAddress>)?>(nil)

    func current() -> Set<IPAddress> {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0 }), now - cached.read < .seconds(1) { return cached.addresses }
        let addresses = OutboundPolicy.hostAddresses()
        cache.withLock { $0 = (now, addresses) }
        return addresses
    }
}

/// The clients kept for reuse (`Limits.reuseClients`), one per destination; those idle longer than
/// the limit are shut down, looked for at most once a second.
private final class ReusedClients: Sendable {
    struct Destination: Hashable {
        let host: String
        let address: IPAddress
    }

    private struct Kept {
        var clients: [Destination: (client: HTTPClient, used: ContinuousClock.Instant)] = [:]
        var swept = ContinuousClock.now
    }

    private let kept = Mutex(Kept())

    func client(for destination: Destination, idle: Duration, make: () -> HTTPClient) -> HTTPClient {
        let now = ContinuousClock.now
        var idleOnes: [HTTPClient] = []
        let client = kept.withLock { kept in
            if now - kept.swept > .seconds(1) {
                kept.swept = now
                for (key, entry) in kept.clients where now - entry.used > idle {
                    idleOnes.append(entry.client)
                    kept.clients[key] = nil
                }
            }
            let client = kept.clients[destination]?.client ?? make()
            kept.clients[destination] = (client, now)
            return client
        }
        for idleOne in idleOnes { Task { try? await idleOne.shutdown() } }
        return client
    }
}
