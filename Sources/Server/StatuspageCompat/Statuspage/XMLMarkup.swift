import Mustache

/// What the dialect's XML answers (the history feeds, the SVG badges) share: their Mustache templates,
/// compiled into the binary from `Resources/`, and the escaping of the text put into them.
enum XMLMarkup {
    /// A template compiled into the binary; one that does not compile is a programming error.
    static func template(_ bytes: [UInt8]) -> MustacheTemplate {
        do {
            return try MustacheTemplate(string: String(decoding: bytes, as: UTF8.self))
        } catch {
            preconditionFailure("a template in StatuspageCompat/Resources does not compile: \(error)")
        }
    }

    /// Text for an XML (or HTML) element or attribute: the five special characters escaped, and the
    /// characters XML 1.0 does not allow (most control characters) dropped. RSS's `description` is
    /// HTML inside XML, so a body is escaped twice there: readers show the text people wrote, never
    /// markup.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value): continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
