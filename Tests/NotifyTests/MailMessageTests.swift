import Foundation
import Mail
import Testing

/// Mails as the wire carries them: no header a value can add, RFC 2047 words that decode to the text,
/// CRLF lines, and parts that decode to what was written.
@Suite struct MailMessageTests {
    @Test func aHeaderValue_cannotAddAHeader() {
        for attempt in ["Down\r\nBcc: victim@example.test", "Down\nBcc: x", "Down\rBcc: x", "Down\u{0}\u{1b}x"] {
            let value = MailHeader.value(attempt)
            #expect(!value.contains("\r") && !value.contains("\n") && !value.contains("\u{0}"), "\(value)")
        }
        // A value that would read as an encoded word is encoded itself, so a reader shows it as typed.
        #expect(MailHeader.value("=?UTF-8?B?QmNjOg==?=").hasPrefix("=?UTF-8?B?"))
    }

    @Test func encodedWords_decodeToTheText_withinTheirLength_neverSplittingACharacter() throws {
        let text = String(repeating: "Zahlungsausfall — API ✓ 😀 ", count: 12)
        let value = MailHeader.value(text)
        let words = value.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = Data()
        for word in words {
            #expect(word.count <= 75 && word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            #expect(String(data: payload, encoding: .utf8) != nil, "a word holds whole characters")
            decoded.append(payload)
        }
        #expect(String(decoding: decoded, as: UTF8.self) == text)
        #expect(MailHeader.value("Plain words") == "Plain words")
        #expect(MailHeader.phrase("Acme \"Cloud\"") == #""Acme \"Cloud\"""#)
    }

    @Test func theRenderedMessage_hasCRLFLines_itsHeaders_andPartsThatDecode() throws {
        let mail = MailMessage(
            from: "status@example.test", fromName: "Acmé", to: "reader@example.test", subject: "[Acme] Down",
            messageID: "ntf_1@status.example.test",
            headers: [("List-Unsubscribe", "<https://status.example.test/u>")], text: "Text ✓\n", html: "<p>HTML</p>")
        let bytes = mail.rendered(date: Date(timeIntervalSince1970: 0), boundary: "b")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
        let (head, body) = try #require(
            text.range(of: "\r\n\r\n").map { (text[..<$0.lowerBound], text[$0.upperBound...]) })
        let headers = head.components(separatedBy: "\r\n")
        #expect(headers.contains("From: =?UTF-8?B?QWNtw6k=?= <status@example.test>"))
        #expect(headers.contains("Message-ID: <ntf_1@status.example.test>"))
        #expect(headers.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        #expect(headers.contains("List-Unsubscribe: <https://status.example.test/u>"))
        #expect(headers.contains("Content-Type: multipart/alternative; boundary=\"b\""))
        let parts = body.components(separatedBy: "--b")
        #expect(parts.count == 4 && parts[3].hasPrefix("--"))
        let plain = try #require(parts[1].components(separatedBy: "\r\n\r\n").last)
        #expect(Data(base64Encoded: plain.replacingOccurrences(of: "\r\n", with: "")) == Data("Text ✓\n".utf8))
    }
}
