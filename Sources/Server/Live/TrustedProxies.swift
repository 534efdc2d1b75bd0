import Foundation
package import HTTPTypes
import Wire

#if canImport(Glibc)
    import Glibc
#endif

/// The proxies whose `X-Forwarded-For` statusd believes (`--trusted-proxies`, addresses or CIDR
/// ranges). A client can write any `X-Forwarded-For` it likes, so the header counts only when the peer
/// is trusted, and then only up to the first address from the right that is not itself a trusted
/// proxy: that is the last hop someone we trust saw.
package struct TrustedProxies: Sendable {
    package struct Range: Sendable, Equatable {
        package let network: [UInt8]
        package let prefixLength: Int

        package func contains(_ address: [UInt8]) -> Bool {
            guard address.count == network.count else { return false }
            var remaining = prefixLength
            for (left, right) in zip(address, network) where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                guard left & mask == right & mask else { return false }
                remaining -= bits
            }
            return true
        }
    }

    package static let none = TrustedProxies(ranges: [])
    /// 127.0.0.0/8 and ::1.
    package static let loopback = TrustedProxies(ranges: [
        Range(network: [127, 0, 0, 0], prefixLength: 8),
        Range(network: Array(repeating: 0, count: 15) + [1], prefixLength: 128),
    ])

    package let ranges: [Range]

    /// Parses `127.0.0.1, 10.0.0.0/8, ::1`. - Throws: a one-line message naming the bad entry.
    package static func parse(_ text: String) throws -> TrustedProxies {
        var ranges: [Range] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let network = address(parts[0]) else {
                throw OperationFailure("--trusted-proxies: '\(entry)' is not an IP address or CIDR range")
            }
            let bitsMax = network.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : bitsMax
            guard let prefix, (0...bitsMax).contains(prefix) else {
                throw OperationFailure("--trusted-proxies: '\(entry)' has a prefix length outside 0...\(bitsMax)")
            }
            ranges.append(Range(network: network, prefixLength: prefix))
        }
        return TrustedProxies(ranges: ranges)
    }

    package func trusts(_ text: String) -> Bool {
        guard let bytes = Self.address(text) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The client's address, given the peer's and the `X-Forwarded-For` values in order.
    package func client(peer: String?, forwardedFor: [String]) -> String? {
        guard let peer, !ranges.isEmpty, trusts(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            guard Self.address(hop) != nil else { break }  // garbage ends what we can believe
            client = hop
            if !trusts(hop) { break }
        }
        return client
    }

    /// The bytes of an IPv4 (4) or IPv6 (16) address in text.
    package static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}

extension HTTPField.Name {
    package static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    package static let xRequestID = HTTPField.Name("X-Request-ID")!
}
