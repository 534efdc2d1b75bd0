import Foundation
import Testing

@testable import Live

/// What the handlers below the router decide alone: who the client is behind proxies, which request
/// ids are kept, and HTTP's date format.
@Suite struct EdgeTests {
    @Test func client_isTheLastHopBeforeTheTrustedOnes() throws {
        let proxies = try TrustedProxies.parse("10.0.0.0/8, 127.0.0.1")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["203.0.113.9, 10.1.2.3"]) == "203.0.113.9")
        #expect(proxies.client(peer: "198.51.100.7", forwardedFor: ["203.0.113.9"]) == "198.51.100.7", "untrusted peer")
        #expect(
            proxies.client(peer: "127.0.0.1", forwardedFor: ["1.1.1.1, 203.0.113.9"]) == "203.0.113.9",
            "a hop before an untrusted one is the client's word, not believed")
        #expect(proxies.client(peer: "127.0.0.1", forwardedFor: ["garbage"]) == "127.0.0.1")
    }

    @Test func trustedProxies_refuseWhatIsNoRange() {
        #expect(throws: (any Error).self) { try TrustedProxies.parse("proxy.local") }
        #expect(throws: (any Error).self) { try TrustedProxies.parse("10.0.0.0/33") }
    }

    @Test func requestID_isKeptOnlyWhenSane() {
        #expect(RequestIDs.isAcceptable("abc-123"))
        #expect(!RequestIDs.isAcceptable(""))
        #expect(!RequestIDs.isAcceptable("has space"))
        #expect(!RequestIDs.isAcceptable(String(repeating: "x", count: 129)))
        #expect(RequestIDs.next() != RequestIDs.next())
    }

    @Test func httpDate_isIMFFixdate() {
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 1_780_000_000)) == "Thu, 28 May 2026 20:26:40 GMT")
    }
}
