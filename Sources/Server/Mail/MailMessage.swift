package import Foundation

/// One mail to one address, and its bytes on the wire (RFC 5322 with MIME): a plain text part and,
/// when given, an HTML alternative, both UTF-8 in base64, CRLF line ends.
///
/// Every header value that comes from a tenant or a subscriber (the page's name in the sender and the
/// subject, an incident's title) passes `MailHeader`, which removes line breaks and encodes what is not
/// ASCII: no value can add a header of its own.
package struct MailMessage: Sendable, Equatable {
    /// The envelope and `From` address (the operator's `smtp-from`).
    package var from: String
    /// The name shown beside it: the page's name.
    package var fromName: String?
    package var to: String
    package var subject: String
    /// Without angle brackets: `<local>@<domain>`; the same for every attempt at one notification to one
    /// subscriber, so a receiver (or a person) can drop duplicates.
    package var messageID: String
    /// Further headers (`List-Unsubscribe`, `List-Unsubscribe-Post`, `Auto-Submitted`...), written as
    /// given after `MailHeader.value`.
    package var headers: [(String, String)]
    package var text: String
    package var html: String?

    package init(
        from: String, fromName: String?, to: String, subject: String, messageID: String,
        headers: [(String, String)] = [], text: String, html: String?
    ) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.messageID = messageID
        self.headers = headers
        self.text = text
        self.html = html
    }

    package static func == (lhs: MailMessage, rhs: MailMessage) -> Bool {
        lhs.from == rhs.from && lhs.fromName == rhs.fromName && lhs.to == rhs.to && lhs.subject == rhs.subject
            && lhs.messageID == rhs.messageID && lhs.text == rhs.text && lhs.html == rhs.html
            && lhs.headers.map(\.0) == rhs.headers.map(\.0) && lhs.headers.map(\.1) == rhs.headers.map(\.1)
    }

    /// The message as the SMTP `DATA` command carries it (the transport does the dot-stuffing).
    package func rendered(date: Date, boundary: String = "statusd-" + UUID().uuidString) -> [UInt8] {
        var head: [String] = []
        let sender = fromName.map { MailHeader.phrase($0) + " <\(from)>" } ?? from
        head.append("From: " + sender)
        head.append("To: " + to)
        head.append("Subject: " + MailHeader.value(subject))
        head.append("Date: " + Self.dateFormatter.string(from: date))
        head.append("Message-ID: <\(messageID)>")
        for (name, value) in headers { head.append("\(name): " + MailHeader.value(value)) }
        head.append("MIME-Version: 1.0")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count * 4 / 3 + (html?.utf8.count ?? 0) * 4 / 3 + 2_048)
        func line(_ text: String) {
            bytes += text.utf8
            bytes += Self.crlf
        }
        guard let html else {
            for field in head { line(field) }
            Self.part(text, type: "text/plain", into: &bytes)
            return bytes
        }
        head.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        for field in head { line(field) }
        line("")
        line("--" + boundary)
        Self.part(text, type: "text/plain", into: &bytes)
        line("--" + boundary)
        Self.part(html, type: "text/html", into: &bytes)
        line("--" + boundary + "--")
        return bytes
    }

    private static let crlf: [UInt8] = [13, 10]

    /// A part's headers, a blank line, and its text in base64 lines of 76 characters (RFC 2045), cut
    /// here by bytes: Foundation's line option plus a split by "\r\n" was a quarter of a mail's CPU.
    private static func part(_ text: String, type: String, into bytes: inout [UInt8]) {
        bytes += "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8
        let encoded = Array(Data(text.utf8).base64EncodedData())
        var start = 0
        while start < encoded.count {
            let end = min(start + 76, encoded.count)
            bytes += encoded[start..<end]
            bytes += crlf
            start = end
        }
    }

    /// RFC 5322's date: `Thu, 03 Dec 2026 09:26:17 +0000`.
    private static let dateFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter
    }()
}

/// Header values that cannot break out of their header: control characters (CR and LF among them)
/// become spaces, and text that is not ASCII, or too long for one line, is written as RFC 2047 encoded
/// words (`=?UTF-8?B?...?=`) folded onto lines of their own.
package enum MailHeader {
    /// Folded encoded words stay within RFC 2047's 75 characters each: 45 bytes of UTF-8 a word.
    private static let bytesPerWord = 45
    /// Plain ASCII values up to this long are written as they are (RFC 5322's limit is 998 a line).
    private static let plainLimit = 900

    package static func value(_ text: String) -> String {
        // Most values (every subject of one notification, the links) are short printable ASCII.
        if text.utf8.count <= plainLimit, text.utf8.allSatisfy({ (0x20..<0x7f).contains($0) }), !text.contains("=?") {
            return text
        }
        let flat = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
        if flat.allSatisfy(\.isASCII), flat.utf8.count <= plainLimit, !flat.contains("=?") { return flat }
        return encodedWords(flat)
    }

    /// A display name: a quoted string when it is ASCII, else encoded words (RFC 2047 section 5).
    package static func phrase(_ text: String) -> String {
        let flat = value(text)
        guard !flat.hasPrefix("=?") else { return flat }
        return "\"" + flat.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    /// Base64 words of whole characters (a word never splits one), joined by folding white space.
    private static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > bytesPerWord, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }
}
