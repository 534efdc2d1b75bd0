import Engine
import Testing

@testable import Auth

/// Session tokens, their cookie and the configured session secret.
@Suite struct SessionTests {
    @Test func token_namesItsSession_andAnyChangeIsRefused() throws {
        let tokens = try SessionTokens(secret: String(repeating: "k", count: 32))
        let session = SessionID.random()
        let token = tokens.token(for: session)
        #expect(tokens.session(from: token) == session)
        var tampered = Array(token)
        tampered[tampered.count - 1] = tampered.last == "A" ? "B" : "A"
        #expect(tokens.session(from: String(tampered)) == nil)
        #expect(tokens.session(from: SessionID.random().rawValue + "." + token.split(separator: ".")[1]) == nil)
        #expect(tokens.session(from: "nonsense") == nil)
    }

    @Test func theSameSecret_signsAlike_anotherDoesNot() throws {
        let session = SessionID.random()
        let one = try SessionTokens(secret: String(repeating: "a", count: 40))
        let same = try SessionTokens(secret: String(repeating: "a", count: 40))
        let other = try SessionTokens(secret: String(repeating: "b", count: 40))
        #expect(same.session(from: one.token(for: session)) == session)
        #expect(other.session(from: one.token(for: session)) == nil)
        #expect(one.csrf(for: session) == same.csrf(for: session) && one.csrf(for: session) != other.csrf(for: session))
    }

    @Test func shortSecret_isRefused() {
        #expect(throws: (any Error).self) { try SessionTokens(secret: "too short") }
    }

    @Test func cookie_isFoundAmongOthers() {
        #expect(SessionCookie.token(inCookies: ["theme=dark; statusd_session=abc.def; other=1"]) == "abc.def")
        #expect(SessionCookie.token(inCookies: ["a=1", "statusd_session=xyz"]) == "xyz")
        #expect(SessionCookie.token(inCookies: ["not_statusd_session=abc"]) == nil)
    }
}
