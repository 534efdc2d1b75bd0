import Foundation
import Testing

/// A custom domain is served only after a DNS TXT or HTTP check proves the organization controls it,
/// never when it is statusd's own host or another organization's, and only while it stays the
/// configured one; the proof survives a restart. The outside world (a DNS server, web servers) is
/// `OutsideWorld` on loopback, opened to statusd's outbound guard with `--outbound-allow 127.0.0.0/8`.
@Suite struct CustomDomainTests {
    static func v2(_ server: StatusdProcess, host: String, _ document: String = "summary.json") async throws
        -> (status: Int, body: Data)
    {
        let (status, _, body) = try await server.request("/api/v2/" + document, headers: ["Host": host])
        return (status, body)
    }

    @Test func domain_isServedOnlyOnceVerified() async throws {
        let world = try OutsideWorld()
        defer { world.stop() }
        let addresses = ["status.acme.test": ["127.0.0.1"], "www.acme.test": ["127.0.0.1"]]
        try world.publish(addresses: addresses)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "statusd-dom-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments =
            [
                "--fsync", "none", "--public-url", "https://status.example.com", "--outbound-allow", "127.0.0.0/8",
            ] + world.statusdArguments
        let environment = world.statusdEnvironment
        var server = try StatusdProcess(arguments: arguments, dataDirectory: directory, environment: environment)
        let (owner, _) = try await AccountTests.signUp("domains@example.com", on: server)
        let org = try await owner.call("POST", "/api/organizations", ["slug": "acme", "name": "Acme"]).json
        let id = try #require(org["id"] as? String)
        _ = try await owner.call("POST", "/api/services", ["name": "API"])

        let own = try await owner.call("PUT", "/api/organizations/\(id)", ["custom_domain": "Status.Example.com"])
        #expect(own.status == 422, "statusd's own host: \(own.text)")
        #expect(try await owner.call("GET", "/api/organizations/\(id)/domain").status == 404, "none configured")
        #expect(
            try await owner.call("PUT", "/api/organizations/\(id)", ["custom_domain": "status.acme.test"]).status == 200
        )
        let challenge = try await owner.call("GET", "/api/organizations/\(id)/domain").json
        #expect(challenge["verified"] as? Bool == false)
        let dns = try #require(challenge["dns"] as? [String: Any])
        let token = try #require(dns["value"] as? String)
        #expect(
            dns["name"] as? String == "_statusd-challenge.status.acme.test" && token.hasPrefix("statusd-verification="))
        #expect(try await Self.v2(server, host: "status.acme.test").status == 404, "configured is not enough")

        let nothing = try await owner.call("POST", "/api/organizations/\(id)/domain/verify")
        #expect(nothing.status == 422, "\(nothing.text)")
        let detail = nothing.json["detail"] as? String ?? ""
        #expect(detail.contains("no TXT record") && detail.contains("answered 404"), "says what it found: \(detail)")
        try world.publish(
            txt: ["_statusd-challenge.status.acme.test": ["v=spf1 -all", "statusd-verification=00"]],
            addresses: addresses)
        let wrong = try await owner.call("POST", "/api/organizations/\(id)/domain/verify", ["method": "dns"])
        #expect(wrong.status == 422 && (wrong.json["detail"] as? String)?.contains("none holds the token") == true)
        #expect(try await owner.call("POST", "/api/organizations/\(id)/domain/verify", ["method": "ftp"]).status == 422)

        try world.publish(txt: ["_statusd-challenge.status.acme.test": ["v=spf1 -all", token]], addresses: addresses)
        let verified = try await owner.call("POST", "/api/organizations/\(id)/domain/verify", ["method": "dns"])
        #expect(verified.status == 200 && verified.json["verified"] as? Bool == true, "\(verified.text)")

        func served(_ server: StatusdProcess, _ host: String) async throws {
            let (_, _, expected) = try await server.request("/s/acme/api/v2/summary.json")
            let answer = try await Self.v2(server, host: host)
            #expect(answer.status == 200 && answer.body == expected, "the organization's own v2 under its domain")
            #expect(try await Self.v2(server, host: host, "components.json").status == 200)
        }
        try await served(server, "status.acme.test")
        try await served(server, "STATUS.acme.test:8443")
        #expect(try await Self.v2(server, host: "other.test").status == 404)
        #expect(try await Self.v2(server, host: "127.0.0.1").status == 404, "no /api/v2 on statusd's own host")

        let (rival, _) = try await AccountTests.signUp("rival@example.com", on: server)
        let rivalOrg = try #require(
            try await rival.call("POST", "/api/organizations", ["slug": "rival", "name": "Rival"]).json["id"] as? String
        )
        let taken = try await rival.call("PUT", "/api/organizations/\(rivalOrg)", ["custom_domain": "status.acme.test"])
        #expect(taken.status == 409, "one organization per domain: \(taken.text)")

        server.stop()
        server = try StatusdProcess(arguments: arguments, dataDirectory: directory, environment: environment)
        try await served(server, "status.acme.test")

        // A new domain is checked anew; this time by the HTTP file.
        let client = owner.with(server)
        #expect(
            try await client.call("PUT", "/api/organizations/\(id)", ["custom_domain": "www.acme.test"]).status == 200)
        #expect(try await Self.v2(server, host: "status.acme.test").status == 404, "the old domain is no longer served")
        #expect(try await Self.v2(server, host: "www.acme.test").status == 404)
        let next = try await client.call("GET", "/api/organizations/\(id)/domain").json
        let http = try #require(next["http"] as? [String: Any])
        let path = try #require((http["url"] as? String)?.replacingOccurrences(of: "http://www.acme.test", with: ""))
        try world.publish(http: [path: (http["body"] as? String ?? "") + "\n"], addresses: addresses)
        let byFile = try await client.call("POST", "/api/organizations/\(id)/domain/verify", ["method": "http"])
        #expect(byFile.status == 200 && byFile.json["verified"] as? Bool == true, "\(byFile.text)")
        try await served(server, "www.acme.test")
        let (status, _, _) = try await server.request(path, headers: ["Host": "www.acme.test"])
        #expect(status == 404, "statusd never answers the challenge itself")
        server.stop()
    }
}
