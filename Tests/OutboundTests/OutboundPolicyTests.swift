import Testing

@testable import Outbound

/// The outbound policy refuses every address that is not public, in every form a connection could
/// reach it by, and lets the operator open ranges.
@Suite struct OutboundPolicyTests {
    @Test(arguments: [
        ("127.0.0.1", "loopback"), ("127.1", "loopback"), ("0x7f000001", "loopback"), ("2130706433", "loopback"),
        ("0177.0.0.01", "loopback"), ("::1", "loopback"), ("[::1]", "loopback"), ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:7f00:1", "loopback"), ("::127.0.0.1", "loopback"), ("64:ff9b::127.0.0.1", "loopback"),
        ("2002:7f00:1::", "loopback"), ("10.1.2.3", "a private network"), ("172.16.0.1", "a private network"),
        ("172.31.255.255", "a private network"), ("192.168.1.1", "a private network"),
        ("fd00::1", "a private network"), ("::ffff:10.0.0.1", "a private network"),
        ("169.254.169.254", "link-local (cloud metadata among them)"),
        ("fe80::1", "link-local (cloud metadata among them)"),
        ("::ffff:169.254.169.254", "link-local (cloud metadata among them)"),
        ("100.64.0.1", "carrier-grade NAT"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"), ("0", "unspecified"), ("::", "unspecified"),
        ("255.255.255.255", "a reserved range"),
    ])
    func refusedAddress_isRefusedWithItsClass(_ literal: String, _ reason: String) throws {
        let address = try #require(IPAddress(literal: literal), "\(literal)")
        #expect(OutboundPolicy().refusal(for: address)?.rawValue == reason, "\(literal) is \(address)")
    }

    @Test(arguments: ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34", "172.32.0.1"])
    func publicAddress_isAllowed(_ literal: String) throws {
        let address = try #require(IPAddress(literal: literal))
        #expect(OutboundPolicy().refusal(for: address) == nil, "\(literal)")
    }

    @Test func allowedRange_opensItself_only() throws {
        let policy = OutboundPolicy(allowed: try OutboundPolicy.allowList("127.0.0.0/8"))
        #expect(policy.refusal(for: try #require(IPAddress(literal: "127.0.0.5"))) == nil)
        #expect(policy.refusal(for: try #require(IPAddress(literal: "::ffff:127.0.0.5"))) == nil)
        #expect(policy.refusal(for: try #require(IPAddress(literal: "10.0.0.1"))) == .privateNetwork)
        #expect(policy.refusal(for: try #require(IPAddress(literal: "::1"))) == .loopback)
    }

    @Test func ownAddress_isRefused_unlessAllowed() throws {
        let own = try #require(IPAddress(literal: "93.184.216.34"))
        #expect(OutboundPolicy(ownAddresses: [own]).refusal(for: own) == .ownAddress)
        let opened = OutboundPolicy(allowed: try OutboundPolicy.allowList("93.184.216.0/24"), ownAddresses: [own])
        #expect(opened.refusal(for: own) == nil)
    }

    @Test(arguments: ["0.0.0.0/0", "::/0", "everything", "10/8", "10.0.0.0/33", "127.0.0.1/"])
    func allowList_refusesWhatIsNoRange_andEverything(_ entry: String) {
        #expect(throws: OutboundRefusal.self) { try OutboundPolicy.allowList(entry) }
    }

    @Test(arguments: ["example.com", "fe80::1%eth0", "[fe80::1%25eth0]", "1.2.3.4.5", ":::"])
    func notAnAddress_isNil(_ text: String) {
        #expect(IPAddress(literal: text) == nil, "\(text)")
    }

    @Test func description_isTheUsualText() throws {
        #expect(try #require(IPAddress(literal: "0x7f.1")).description == "127.0.0.1")
        #expect(try #require(IPAddress(literal: "[2001:DB8::1]")).description == "2001:db8::1")
    }
}
