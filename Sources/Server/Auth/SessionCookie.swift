import Foundation
import Wire

/// The dashboard's session cookie: its name, and the session token found in `Cookie` headers (the
/// API's authenticator and the live feeds' handshake both read it).
package enum SessionCookie {
    package static let name = "statusd_session"

    /// The session token in `Cookie` header values, if the dashboard's cookie is among them.
    package static func token(inCookies headers: [String]) -> String? {
        for cookies in headers {
            for cookie in cookies.split(separator: ";") {
                let pair = cookie.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(name + "=") { return String(pair.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }
}
