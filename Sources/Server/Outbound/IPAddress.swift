import Engine

#if canImport(Glibc)
    import Glibc
#endif

/// An address as the socket layer sees it, parsed from a literal the way the C library reads one, so
/// that the outbound policy judges the address a connection would really go to.
package enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    /// The 128 bits, high half first.
    case v6(high: UInt64, low: UInt64)

    /// An address literal: IPv4 in any of `inet_aton`'s forms (`127.1`, `0x7f.1`, `2130706433`), or
    /// IPv6 as `inet_pton` reads it, in brackets or not. A zone (`fe80::1%eth0`) is refused: it names
    /// an interface of this host. Nil for anything else (a name).
    package init?(literal: String) {
        var text = Substring(literal)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let address = IPv4Literal.parse(text) {
            self = .v4(address)
            return
        }
        guard text.contains(":"), !text.contains("%") else { return nil }
        // The 16 bytes of an in6_addr, in network order (a byte array rather than the C struct, whose
        // initializer a release build finds in two modules).
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, String(text), &bytes) == 1 else { return nil }
        self = Self.v6(bytes)
    }

    /// An address from the 16 bytes of an IPv6 address in network order.
    package static func v6(_ bytes: [UInt8]) -> IPAddress {
        precondition(bytes.count == 16, "an IPv6 address has 16 bytes")
        let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return .v6(high: high, low: low)
    }

    /// The IPv4 address an IPv6 form carries to the same host: IPv4-mapped (`::ffff:a.b.c.d`),
    /// IPv4-compatible (`::a.b.c.d`, deprecated but still routed by some stacks), NAT64
    /// (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::/48`).
    package var embeddedIPv4: UInt32? {
        guard case .v6(let high, let low) = self else { return nil }
        let lowWord = UInt32(truncatingIfNeeded: low)
        if high == 0, low >> 32 == 0xFFFF { return lowWord }
        if high == 0, low >> 32 == 0, lowWord > 1 { return lowWord }
        if high == 0x0064_FF9B_0000_0000, low >> 32 == 0 { return lowWord }
        if high >> 48 == 0x2002 { return UInt32(truncatingIfNeeded: high >> 16) }
        return nil
    }

    package var description: String {
        switch self {
        case .v4(let address): return IPv4Literal.format(address)
        case .v6(let high, let low):
            var bytes = [UInt8](repeating: 0, count: 16)
            for index in 0..<8 {
                bytes[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
                bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
            }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            _ = bytes.withUnsafeBytes { inet_ntop(AF_INET6, $0.baseAddress, &text, socklen_t(text.count)) }
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
