/// IPv4 addresses written the way the C library's `inet_aton` (and so `getaddrinfo` and every client
/// built on them) reads them: one to four dot-separated parts, each decimal, octal (a leading `0`) or
/// hexadecimal (`0x`), the last part filling the bytes left. So `127.1`, `0177.0.0.1`, `0x7f000001`
/// and `2130706433` are all 127.0.0.1. A check of "is this a public address" must read a literal this
/// way, or a tenant writes the loopback address in a form the check does not recognise.
public enum IPv4Literal {
    /// The address `text` names as a literal, as a 32-bit number; nil when it is not one.
    public static func parse(_ text: some StringProtocol) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard let value = number(Substring(part)) else { return nil }
            values.append(value)
        }
        // Every part but the last is one byte; the last fills the bytes that remain.
        let leading = values.dropLast()
        guard leading.allSatisfy({ $0 <= 0xFF }) else { return nil }
        let lastBits = 8 * (4 - leading.count)
        guard let last = values.last, last < (UInt64(1) << lastBits) else { return nil }
        var address: UInt64 = 0
        for (index, byte) in leading.enumerated() { address |= byte << (24 - 8 * index) }
        return UInt32(address | last)
    }

    /// The dotted-quad text of an address.
    public static func format(_ address: UInt32) -> String {
        (0..<4).map { String((address >> (24 - 8 * $0)) & 0xFF) }.joined(separator: ".")
    }

    /// One part: `0x` hexadecimal, a leading `0` octal, otherwise decimal; at most 32 bits.
    private static func number(_ part: Substring) -> UInt64? {
        let (digits, radix): (Substring, UInt64) =
            part.hasPrefix("0x") || part.hasPrefix("0X")
            ? (part.dropFirst(2), 16) : part.count > 1 && part.hasPrefix("0") ? (part.dropFirst(), 8) : (part, 10)
        // A bare `0x` is no number to inet_aton either.
        if digits.isEmpty { return nil }
        var value: UInt64 = 0
        for character in digits {
            guard let digit = character.hexDigitValue, UInt64(digit) < radix else { return nil }
            value = value * radix + UInt64(digit)
            guard value <= UInt64(UInt32.max) else { return nil }
        }
        return value
    }
}
