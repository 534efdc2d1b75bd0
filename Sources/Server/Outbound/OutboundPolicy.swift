import Foundation
import NIOCore

/// Which addresses statusd may connect to when a tenant chose where (a custom domain to verify, and
/// later webhooks, chat hooks and checks): only public ones, unless the operator opened a range. A
/// multi-tenant server that fetches what its tenants name is otherwise a way into the network it runs
/// in: its loopback services, the cloud's metadata endpoint, the private network behind it.
///
/// The check is made on the address a connection will go to, after resolution, and again on every
/// redirect (`OutboundClient`), so a name that resolves, or redirects, to a refused address is refused
/// the same as the literal.
package struct OutboundPolicy: Sendable {
    /// Why an address is refused, in the words a tenant and an operator read.
    package enum Refusal: String, Sendable, CaseIterable {
        case loopback
        case privateNetwork = "a private network"
        case linkLocal = "link-local (cloud metadata among them)"
        case carrierGradeNAT = "carrier-grade NAT"
        case multicast
        case unspecified
        case reserved = "a reserved range"
        case ownAddress = "this host's own address"
    }

    /// Ranges the operator opened (`--outbound-allow`), checked before the refusals.
    package let allowed: [AddressRange]
    /// This host's addresses (its interfaces), refused unless allowed.
    package let ownAddresses: Set<IPAddress>

    package init(allowed: [AddressRange] = [], ownAddresses: Set<IPAddress> = []) {
        self.allowed = allowed
        self.ownAddresses = ownAddresses
    }

    /// The same policy, refusing `addresses` as the host's own.
    package func withOwnAddresses(_ addresses: Set<IPAddress>) -> OutboundPolicy {
        OutboundPolicy(allowed: allowed, ownAddresses: ownAddresses.union(addresses))
    }

    /// The addresses of this host's interfaces now (they change: DHCP, a VPN coming up), so that a
    /// public address of the host itself is refused like its loopback.
    package static func hostAddresses() -> Set<IPAddress> {
        let devices = (try? System.enumerateDevices()) ?? []
        return Set(devices.compactMap { $0.address?.ipAddress }.compactMap { IPAddress(literal: $0) })
    }

    /// Parses `--outbound-allow`: CIDR ranges, comma-separated. Never a way to allow everything: a
    /// range of prefix 0 is refused.
    /// - Throws: a sentence naming the entry that is not a range.
    package static func allowList(_ text: String) throws -> [AddressRange] {
        try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map {
            guard let range = AddressRange(cidr: $0) else {
                throw OutboundRefusal.setting("--outbound-allow: '\($0)' is not an address range such as 127.0.0.0/8")
            }
            guard range.prefixLength > 0 else {
                throw OutboundRefusal.setting("--outbound-allow: '\($0)' would allow every address; name the ranges")
            }
            return range
        }
    }

    /// Why a connection to `address` is refused, or nil when it may be made.
    package func refusal(for address: IPAddress) -> Refusal? {
        // An IPv6 form that carries an IPv4 address reaches that address: it is judged as that one.
        let target = address.embeddedIPv4.map(IPAddress.v4) ?? address
        let forms: Set = [address, target]
        if forms.contains(where: { form in allowed.contains { $0.contains(form) } }) { return nil }
        if forms.contains(where: ownAddresses.contains) { return .ownAddress }
        return Self.classify(target)
    }

    /// The class of an address that is not public, or nil for a public one.
    static func classify(_ address: IPAddress) -> Refusal? {
        Self.table.first { $0.range.contains(address) }?.refusal
    }

    /// Ranges that are not the public internet (RFC 6890's special-purpose registries), most
    /// specific first where they nest.
    private static let table: [(range: AddressRange, refusal: Refusal)] =
        ([
            ("0.0.0.0/8", .unspecified), ("10.0.0.0/8", .privateNetwork), ("100.64.0.0/10", .carrierGradeNAT),
            ("127.0.0.0/8", .loopback), ("169.254.0.0/16", .linkLocal), ("172.16.0.0/12", .privateNetwork),
            ("192.0.0.0/24", .reserved), ("192.0.2.0/24", .reserved), ("192.88.99.0/24", .reserved),
            ("192.168.0.0/16", .privateNetwork), ("198.18.0.0/15", .reserved), ("198.51.100.0/24", .reserved),
            ("203.0.113.0/24", .reserved), ("224.0.0.0/4", .multicast), ("240.0.0.0/4", .reserved),
            ("::/128", .unspecified), ("::1/128", .loopback), ("64:ff9b:1::/48", .reserved), ("100::/64", .reserved),
            ("2001::/23", .reserved),
            ("2001:db8::/32", .reserved), ("fc00::/7", .privateNetwork), ("fe80::/10", .linkLocal),
            ("fec0::/10", .privateNetwork), ("ff00::/8", .multicast),
        ] as [(String, Refusal)]).map { (AddressRange(cidr: $0.0)!, $0.1) }
}

/// A refused outbound request or setting, said in one sentence.
package enum OutboundRefusal: Error, CustomStringConvertible {
    case setting(String)

    package var description: String {
        switch self {
        case .setting(let sentence): sentence
        }
    }
}
