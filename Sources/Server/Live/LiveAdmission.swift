package import NIOCore
package import Prometheus
import Synchronization

/// The limits of the live feeds (`--live-*`), the count of open streams in all and per client address,
/// and why streams ended, for `/metrics`. Shared by every event loop: admitting costs an atomic
/// increment and one short lock for the address.
package final class LiveAdmission: Sendable {
    package struct Limits: Sendable {
        /// Live connections (WebSocket and Server-Sent Events) in all; a process here may open at most
        /// 20,000 files.
        package var connections = 19_500
        /// Live connections from one client address; the default leaves room for a benchmark client
        /// spread over eight loopback addresses, and for an office behind one NAT.
        package var perAddress = 4_000
        /// Organizations one WebSocket follows.
        package var subscriptionsPerConnection = 32
        /// The largest message a client may send, in bytes (after reassembling fragments).
        package var messageBytes = 4_096
        /// `subscribe` messages a connection may send in a burst; one more each second.
        package var subscribeBurst = 20
        /// How long `GET /ws` waits for credentials (an `auth` message), and a WebSocket for its first
        /// subscription.
        package var authTimeout = TimeAmount.seconds(10)
        /// Bytes a reader may leave unread before it is closed as too slow (its outbound queue).
        package var queueBytes = 1 << 20

        package init(subscriptionsPerConnection: Int = 32, subscribeBurst: Int = 20) {
            self.subscriptionsPerConnection = subscriptionsPerConnection
            self.subscribeBurst = subscribeBurst
        }
    }

    /// Why a live connection was refused or closed; the label of `statusd_live_closed_total`.
    package enum Reason: String, CaseIterable, Sendable {
        case serverFull = "server_full"
        case addressFull = "address_full"
        case subscriptions
        case messageSize = "message_size"
        case subscribeRate = "subscribe_rate"
        case authTimeout = "auth_timeout"
        case authRefused = "auth_refused"
        case credentialRevoked = "credential_revoked"
        case slowReader = "slow_reader"
        case deadPeer = "dead_peer"
        case protocolError = "protocol_error"
        /// A WebSocket that followed nothing for the waiting time.
        case idle
        case shutdown
        /// This node trails the event log too far (cluster mode): reconnect elsewhere.
        case behind
    }

    package enum Transport: String, CaseIterable, Sendable {
        case webSocket = "websocket"
        case eventStream = "sse"
    }

    package let limits: Limits
    private let total = Atomic<Int>(0)
    private let behindLog = Atomic<Bool>(false)
    private let addresses = Mutex<[String: Int]>([:])
    private let open: [Transport: Gauge]
    private let closed: [Reason: Counter]

    package init(limits: Limits, metrics: PrometheusCollectorRegistry) {
        self.limits = limits
        open = Dictionary(
            uniqueKeysWithValues: Transport.allCases.map {
                (
                    $0,
                    metrics.makeGauge(
                        descriptor: MetricNameDescriptor(
                            namespace: "statusd", subsystem: "live", metricName: "connections", unitName: "",
                            helpText: "open live connections"),
                        labels: [("transport", $0.rawValue)])
                )
            })
        closed = Dictionary(
            uniqueKeysWithValues: Reason.allCases.map {
                (
                    $0,
                    metrics.makeCounter(
                        descriptor: MetricNameDescriptor(
                            namespace: "statusd", subsystem: "live", metricName: "closed", unitName: "",
                            helpText: "live connections refused or closed by statusd, by reason"),
                        labels: [("reason", $0.rawValue)])
                )
            })
    }

    /// Whether this node trails the event log too far to take live connections (cluster mode): set and
    /// cleared by the node's follower watch.
    package var behind: Bool {
        get { behindLog.load(ordering: .relaxed) }
        set { behindLog.store(newValue, ordering: .relaxed) }
    }

    /// Takes a place for a new live connection from `address`, or says why there is none.
    package func admit(_ transport: Transport, from address: String?) -> Reason? {
        guard !behind else {
            count(.behind)
            return .behind
        }
        guard total.add(1, ordering: .relaxed).newValue <= limits.connections else {
            total.subtract(1, ordering: .relaxed)
            count(.serverFull)
            return .serverFull
        }
        if let address {
            let admitted = addresses.withLock { addresses in
                let count = addresses[address, default: 0]
                guard count < limits.perAddress else { return false }
                addresses[address] = count + 1
                return true
            }
            guard admitted else {
                total.subtract(1, ordering: .relaxed)
                count(.addressFull)
                return .addressFull
            }
        }
        open[transport]?.increment()
        return nil
    }

    /// Gives back the place `admit` took.
    package func release(_ transport: Transport, from address: String?) {
        total.subtract(1, ordering: .relaxed)
        open[transport]?.decrement()
        guard let address else { return }
        addresses.withLock { addresses in
            let count = addresses[address, default: 1] - 1
            addresses[address] = count > 0 ? count : nil
        }
    }

    /// Counts a connection closed (or refused) for `reason`.
    package func count(_ reason: Reason) { closed[reason]?.increment() }
}
