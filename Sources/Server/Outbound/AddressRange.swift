/// A CIDR range (`10.0.0.0/8`, `fc00::/7`); a bare address is a range of one.
package struct AddressRange: Hashable, Sendable, CustomStringConvertible {
    package let network: IPAddress
    package let prefixLength: Int

    /// Parses `address/prefix`, or an address alone; nil when it is neither. The address's bits
    /// past the prefix are ignored, as routers read a range.
    package init?(cidr text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        // The literal forms are IPv4's dotted quad or IPv6 here: a range is written by an operator,
        // not a tenant, and `10/8` would be ambiguous to a reader.
        guard let address = IPAddress(literal: String(parts[0])),
            parts[0].contains(".") || parts[0].contains(":")
        else { return nil }
        let bits = Self.bits(of: address)
        let length = parts.count == 2 ? Int(parts[1]) : bits
        guard let length, (0...bits).contains(length) else { return nil }
        network = address
        prefixLength = length
    }

    package init(_ network: IPAddress, prefixLength: Int) {
        precondition((0...Self.bits(of: network)).contains(prefixLength), "a prefix fits its address")
        self.network = network
        self.prefixLength = prefixLength
    }

    /// Whether `address` is in the range (an IPv4 range holds no IPv6 address, and the reverse).
    package func contains(_ address: IPAddress) -> Bool {
        switch (network, address) {
        case (.v4(let base), .v4(let other)):
            let mask: UInt32 = prefixLength == 0 ? 0 : ~UInt32(0) << (32 - prefixLength)
            return base & mask == other & mask
        case (.v6(let baseHigh, let baseLow), .v6(let high, let low)):
            let highMask: UInt64 = prefixLength == 0 ? 0 : prefixLength >= 64 ? ~0 : ~UInt64(0) << (64 - prefixLength)
            let lowMask: UInt64 = prefixLength <= 64 ? 0 : prefixLength == 128 ? ~0 : ~UInt64(0) << (128 - prefixLength)
            return baseHigh & highMask == high & highMask && baseLow & lowMask == low & lowMask
        default:
            return false
        }
    }

    package var description: String { "\(network)/\(prefixLength)" }

    private static func bits(of address: IPAddress) -> Int {
        if case .v4 = address { return 32 }
        return 128
    }
}
