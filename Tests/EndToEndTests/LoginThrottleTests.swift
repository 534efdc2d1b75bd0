import Foundation
import Testing

/// Brute-force logins slow down per (email, address) and per address, never per email alone, and
/// never touch API keys. Addresses come from X-Forwarded-For through a trusted proxy (loopback).
///
/// statusd's clock is frozen here (`STATUSD_TEST_FROZEN_AT`): the first wait is one second, and on a
/// loaded machine the next request can come later than that, so with a running clock the test would
/// measure how fast it runs (it failed so in CI three rounds in a row). Frozen, a wait never ends while
/// the test looks at it.
@Suite(.sameOnEitherLog) struct LoginThrottleTests {
    static func frozenServer() throws -> StatusdProcess {
        try StatusdProcess(
            arguments: ["--trusted-proxies", "127.0.0.1"],
            environment: ["STATUSD_TEST_FROZEN_AT": "2026-06-01T12:00:00Z"])
    }

    @Test func repeatedFailures_wait_butNotFromAnotherAddress_norForKeys() async throws {
        let server = try Self.frozenServer()
        let (owner, _) = try await AccountTests.signUp("owner@example.com", on: server)
        _ = try await owner.call("POST", "/api/organizations", ["slug": "guarded", "name": "Guarded"])
        let key = try #require(
            try await owner.call("POST", "/api/keys", ["name": "ci", "role": "editor"]).json["token"] as? String)
        let anonymous = APIClient(token: "none").with(server)
        func login(_ password: String, from address: String) async throws -> APIClient.Answer {
            try await anonymous.call(
                "POST", "/api/auth/login", ["email": "owner@example.com", "password": password],
                headers: ["X-Forwarded-For": address])
        }
        for attempt in 1...5 {
            #expect(try await login("a wrong guess", from: "203.0.113.5").status == 401, "attempt \(attempt)")
        }
        let answer = try await login("correct horse battery", from: "203.0.113.5")
        #expect(answer.status == 429, "even the right password waits at the guessing address")
        #expect(Int(answer.headers["retry-after"] ?? "") ?? 0 >= 1)
        #expect(answer.headers["content-type"] == "application/problem+json")
        let elsewhere = try await login("correct horse battery", from: "198.51.100.9")
        #expect(elsewhere.status == 200, "the owner is never locked out from every address")
        let keyClient = APIClient(token: key).with(server)
        #expect(try await keyClient.call("GET", "/api/services").status == 200, "API keys are never throttled")
    }

    @Test func oneAddress_guessingManyEmails_waits() async throws {
        let server = try Self.frozenServer()
        let anonymous = APIClient(token: "none").with(server)
        var statuses: [Int] = []
        for index in 0..<31 {
            statuses.append(
                try await anonymous.call(
                    "POST", "/api/auth/login", ["email": "user\(index)@example.com", "password": "guess guess"],
                    headers: ["X-Forwarded-For": "192.0.2.77"]
                ).status)
        }
        #expect(statuses.prefix(30).allSatisfy { $0 == 401 }, "\(statuses)")
        #expect(statuses.last == 429, "the 31st guess from one address waits")
        let other = try await anonymous.call(
            "POST", "/api/auth/login", ["email": "user0@example.com", "password": "guess guess"],
            headers: ["X-Forwarded-For": "192.0.2.78"])
        #expect(other.status == 401, "another address is not affected")
    }
}
