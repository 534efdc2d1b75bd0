import Testing

@testable import Outbound
@testable import OutboundClient

/// The DNS client reads what a recursive resolver answers: the A and AAAA records of a name (a CNAME on
/// the way is skipped), TXT strings joined, NXDOMAIN as no record, and refuses what runs past its end.
@Suite struct DNSClientTests {
    /// An answer to `query` holding `records` (type, data), each named by a pointer to the question.
    static func answer(to query: [UInt8], rcode: UInt8 = 0, _ records: [(UInt16, [UInt8])]) -> [UInt8] {
        var bytes = Array(query.prefix(2)) + [0x81, 0x80 | rcode, 0, 1, 0, UInt8(records.count), 0, 0, 0, 0]
        bytes += query[12...]
        for (type, data) in records {
            bytes += [0xC0, 12, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1, 0, 0, 0, 60]
            bytes += [UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
        }
        return bytes
    }

    @Test func addressRecords_areRead_otherTypesSkipped() throws {
        let query = try DNSClient.query("status.example.test", type: .a, id: 0x1234)
        #expect(query.suffix(4) == [0, 1, 0, 1], "QTYPE A, QCLASS IN")
        let cname: [UInt8] = [3] + Array("www".utf8) + [0xC0, 12]
        let v6: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]
        let records = try DNSClient.parse(
            Self.answer(to: query, [(5, cname), (1, [93, 184, 216, 34]), (28, v6), (16, [2] + Array("hi".utf8))]),
            id: 0x1234)
        #expect(
            records.map(\.record) == [
                .address(.v4(0x5DB8_D822)), .address(IPAddress(literal: "2001:db8::1")!), .text("hi"),
            ])
    }

    @Test func noSuchName_isNoRecord_andOtherErrorsAreSaid() throws {
        let query = try DNSClient.query("nowhere.test", type: .aaaa, id: 7)
        #expect(try DNSClient.parse(Self.answer(to: query, rcode: 3, []), id: 7).isEmpty)
        #expect(throws: DNSClient.Failure.self) { try DNSClient.parse(Self.answer(to: query, rcode: 2, []), id: 7) }
        #expect(throws: DNSClient.Failure.self) { try DNSClient.parse(Self.answer(to: query, []), id: 8) }
    }

    static let malformed: [(UInt16, [UInt8])] = [
        (1, [UInt8](repeating: 1, count: 5)), (28, [UInt8](repeating: 1, count: 4)), (16, [9, 65]),
    ]

    @Test(arguments: malformed)
    func malformedRecords_areRefused(type: UInt16, data: [UInt8]) throws {
        let query = try DNSClient.query("bad.test", type: .a, id: 1)
        #expect(throws: DNSClient.Failure.self) { try DNSClient.parse(Self.answer(to: query, [(type, data)]), id: 1) }
        var cut = Self.answer(to: query, [(1, [1, 2, 3, 4])])
        cut.removeLast()
        #expect(throws: DNSClient.Failure.self) { try DNSClient.parse(cut, id: 1) }
    }

    @Test func theAddressOverrideKey_isTheHostAsTheHTTPClientSeesIt() {
        #expect(OutboundClient.overrideKey("status.example.com") == "status.example.com")
        #expect(OutboundClient.overrideKey("0x7f.1") == "0x7f.1")
        #expect(OutboundClient.overrideKey("::1") == "[::1]")
        #expect(OutboundClient.overrideKey("[::ffff:127.0.0.3]") == "[::ffff:127.0.0.3]")
    }
}
