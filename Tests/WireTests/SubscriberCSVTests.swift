import Engine
import Foundation
import Testing
import Wire

/// The subscriber export: RFC 4180 quoting, masked endpoints, and no field a spreadsheet would run.
@Suite struct SubscriberCSVTests {
    static let at = Date(timeIntervalSince1970: 1_790_000_000)

    static func subscriber(_ channel: SubscriberChannel, _ address: String, contact: String? = nil) -> Subscriber {
        Subscriber(
            id: .random(), channel: channel, address: address, contactEmail: contact, components: [], incident: nil,
            state: .active, signingSecret: nil, createdAt: at, confirmedAt: at, quarantinedAt: nil,
            quarantineReason: nil)
    }

    @Test func fields_areQuoted_masked_andNeverFormulas() throws {
        let hook = Self.subscriber(
            .webhook, "https://hooks.example.com/secret/path?token=x", contact: "a,b@example.com")
        let formula = Self.subscriber(.email, "=cmd@example.com")
        let text = String(decoding: SubscriberCSV.render([hook, formula]), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.first == SubscriberCSV.columns.joined(separator: ","))
        #expect(lines.count == 4 && lines.last == "", "a header, two rows, CRLF after each")
        #expect(lines[1].contains("https://hooks.example.com/…") && !text.contains("secret"))
        #expect(lines[1].contains("\"a,b@example.com\""))
        #expect(lines[2].contains(",'=cmd@example.com,"))
        #expect(SubscriberCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(SubscriberCSV.field("-1+1") == "'-1+1" && SubscriberCSV.field("plain") == "plain")
    }
}
