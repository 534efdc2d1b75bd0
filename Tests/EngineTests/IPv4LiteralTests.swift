import Engine
import Testing

/// IPv4 literals read as `inet_aton` reads them, so that no form of an address passes for a name.
@Suite struct IPv4LiteralTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("127.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("0x7F.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"), ("017700000001", "127.0.0.1"), ("10.0.0.1", "10.0.0.1"),
        ("169.254.169.254", "169.254.169.254"), ("0", "0.0.0.0"), ("0.0.0.0", "0.0.0.0"),
        ("192.168.0x1.00001", "192.168.1.1"), ("255.255.255.255", "255.255.255.255"),
    ])
    func literal_readsAsTheCLibraryDoes(_ text: String, _ address: String) {
        #expect(IPv4Literal.parse(text).map(IPv4Literal.format) == address, "\(text)")
    }

    @Test(arguments: [
        "", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1.2.65536", "4294967296", "08.1.1.1", "0x", "1..2",
        "1.2.3.", "example.com", "1e100.net", "0xg1", "-1", "status.10.0.0.1.example",
    ])
    func notALiteral_isNil(_ text: String) {
        #expect(IPv4Literal.parse(text) == nil, "\(text)")
    }
}
