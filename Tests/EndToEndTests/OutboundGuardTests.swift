import Foundation
import TestSupport
import Testing

/// Whatever a tenant names, statusd connects only to public addresses and the ranges the operator
/// opened (`--outbound-allow`): the custom-domain check, the first request statusd makes for a tenant,
/// is refused before any connection when its name resolves, or its redirect leads, to loopback, a
/// private network, link-local (cloud metadata), carrier-grade NAT, multicast, the unspecified address
/// or this host's own addresses, in any form. Each refusal says why, and the listener at the refused
/// address counts zero connections, so a refusal by "connection refused" cannot pass for one.
@Suite(.sameOnEitherLog) struct OutboundGuardTests {
    static let domain = "status.guard.test"

    /// A statusd that may reach 127.0.0.2 only, with an organization whose custom domain awaits its
    /// check, and the path of the check's file.
    struct Setup {
        let world: OutsideWorld
        let server: StatusdProcess
        let owner: APIClient
        let organization: String
        let path: String
        let token: String

        /// Runs the HTTP check; its status and the detail it gave.
        func check() async throws -> (status: Int, detail: String) {
            let answer = try await owner.call(
                "POST", "/api/organizations/\(organization)/domain/verify", ["method": "http"])
            return (answer.status, answer.json["detail"] as? String ?? answer.text)
        }

        /// Runs the check expecting a refusal that names `reasons` (one of them), and no connection to
        /// any listener but 127.0.0.2 (`redirector` connections there: the allowed hop that redirected).
        func expectRefusal(_ what: String, _ reasons: [String], redirector: Int = 0) async throws {
            let before = world.connections()
            let (status, detail) = try await check()
            #expect(status == 422, "\(what): \(detail)")
            #expect(
                detail.contains("refused: ") && reasons.contains { detail.contains("is \($0)") },
                "\(what): says it was refused and why: \(detail)")
            let after = world.connections()
            for address in (1...9).map({ "127.0.0.\($0)" }) {
                let made = (after[address] ?? 0) - (before[address] ?? 0)
                #expect(made == (address == "127.0.0.2" ? redirector : 0), "\(what): \(made) connections to \(address)")
            }
        }
    }

    static func setUp(_ world: OutsideWorld) async throws -> Setup {
        // A proxy in the environment, as a host may have one for its own use: requests for a tenant
        // never go through it (the listener on 127.0.0.5 must see no connection).
        let proxy = "http://127.0.0.5:\(world.httpPort)"
        let server = try StatusdProcess(
            arguments: ["--fsync", "none", "--outbound-allow", "127.0.0.2/32"] + world.statusdArguments,
            environment: world.statusdEnvironment.merging(
                ["http_proxy": proxy, "HTTP_PROXY": proxy, "https_proxy": proxy, "ALL_PROXY": proxy]) { $1 })
        let (owner, _) = try await AccountTests.signUp("guard@example.com", on: server)
        let org = try await owner.call("POST", "/api/organizations", ["slug": "guard", "name": "Guard"]).json
        let id = try #require(org["id"] as? String)
        #expect(try await owner.call("PUT", "/api/organizations/\(id)", ["custom_domain": domain]).status == 200)
        let http = try #require(
            try await owner.call("GET", "/api/organizations/\(id)/domain").json["http"] as? [String: Any])
        let path = try #require((http["url"] as? String)?.replacingOccurrences(of: "http://\(domain)", with: ""))
        return Setup(
            world: world, server: server, owner: owner, organization: id, path: path,
            token: try #require(http["body"] as? String))
    }

    /// The addresses of this host's interfaces other than loopback, as `hostname -I` lists them.
    static func ownAddresses() -> [String] {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["hostname", "-I"]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return [] }
        let text = String(decoding: PipeReader.toEnd(output.fileHandleForReading), as: UTF8.self)
        process.waitUntilExit()
        return text.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    @Test func namesResolvingToRefusedAddresses_areRefusedBeforeAnyConnection() async throws {
        let world = try OutsideWorld()
        defer { world.stop() }
        let setup = try await Self.setUp(world)
        defer { setup.server.stop() }
        let own = ["this host's own address"]
        var cases: [(address: String, reasons: [String])] = [
            ("127.0.0.3", ["loopback"]), ("127.0.0.1", own + ["loopback"]), ("::1", own + ["loopback"]),
            ("10.0.0.1", ["a private network"]), ("172.16.5.4", ["a private network"]),
            ("192.168.1.1", ["a private network"]), ("fd12::1", ["a private network"]),
            ("169.254.169.254", ["link-local"]), ("fe80::1", ["link-local"]), ("100.64.0.1", ["carrier-grade NAT"]),
            ("224.0.0.1", ["multicast"]), ("ff02::1", ["multicast"]), ("0.0.0.0", ["unspecified"]),
            ("::", ["unspecified"]),
            ("::ffff:127.0.0.3", ["loopback"]), ("::ffff:169.254.169.254", ["link-local"]),
            ("::ffff:10.0.0.1", ["a private network"]), ("::127.0.0.3", ["loopback"]),
        ]
        cases += Self.ownAddresses().map { ($0, own) }
        for (address, reasons) in cases {
            try world.publish(addresses: [Self.domain: [address]])
            try await setup.expectRefusal("\(Self.domain) -> \(address)", reasons)
        }
        // One refused address among allowed ones refuses the name, whichever a client would try first.
        try world.publish(addresses: [Self.domain: ["127.0.0.2", "127.0.0.3"]])
        try await setup.expectRefusal("an allowed and a refused address", ["loopback"])

        let metrics = String(decoding: try await setup.server.request("/metrics").body, as: UTF8.self)
        #expect(
            metrics.contains(
                "statusd_outbound_requests_total{purpose=\"domain_check\",outcome=\"refused\"} \(cases.count + 1)"),
            "refusals are counted by purpose and outcome")
    }

    @Test func redirects_areFollowedByStatusdAndEachCheckedAgain() async throws {
        let world = try OutsideWorld()
        defer { world.stop() }
        let setup = try await Self.setUp(world)
        defer { setup.server.stop() }
        let port = world.httpPort
        let targets: [(location: String, reasons: [String])] = [
            ("http://127.0.0.3:\(port)/x", ["loopback"]),
            ("http://2130706435:\(port)/x", ["loopback"]),  // 127.0.0.3 as one decimal number
            ("http://0x7f000003:\(port)/x", ["loopback"]),  // in hexadecimal
            ("http://0177.0.0.3:\(port)/x", ["loopback"]),  // the first part in octal
            ("http://127.3:\(port)/x", ["loopback"]),  // shortened
            ("http://[::ffff:127.0.0.3]:\(port)/x", ["loopback"]),  // IPv4-mapped IPv6
            ("http://169.254.169.254/latest/meta-data/", ["link-local"]),
            ("http://10.0.0.1/", ["a private network"]),
            ("http://inner.guard.test:\(port)/x", ["loopback"]),  // a name that resolves to 127.0.0.4
            ("http://100.64.0.1/", ["carrier-grade NAT"]), ("http://224.0.0.1/", ["multicast"]),
            ("http://0.0.0.0:\(port)/", ["unspecified"]), ("http://0:\(port)/", ["unspecified"]),
            ("http://[::]:\(port)/", ["unspecified"]), ("http://[fd00::1]/", ["a private network"]),
            ("http://[fe80::1]/", ["link-local"]), ("http://[::ffff:a9fe:a9fe]/", ["link-local"]),
            ("http://[::1]:\(port)/", ["this host's own address", "loopback"]),
        ]
        for (location, reasons) in targets {
            try world.publish(
                addresses: [Self.domain: ["127.0.0.2"], "inner.guard.test": ["127.0.0.4"]],
                redirects: [setup.path: location])
            try await setup.expectRefusal("redirect to \(location)", reasons, redirector: 1)
        }

        // An allowed redirect is followed (relative, to the same allowed address), up to three.
        try world.publish(
            http: ["/moved": "not the token"], addresses: [Self.domain: ["127.0.0.2"]],
            redirects: [setup.path: "/moved"])
        let moved = try await setup.check()
        #expect(moved.status == 422 && moved.detail.contains("the body is not the token"), "\(moved.detail)")
        #expect(!moved.detail.contains("not the token\""), "the body is never repeated")
        try world.publish(addresses: [Self.domain: ["127.0.0.2"]], redirects: [setup.path: setup.path])
        let before = world.connections()["127.0.0.2"] ?? 0
        let loop = try await setup.check()
        #expect(loop.status == 422 && loop.detail.contains("more than 3 redirects"), "\(loop.detail)")
        #expect((world.connections()["127.0.0.2"] ?? 0) - before == 4, "the first request and three redirects")
    }

    /// HTTPS to a checked address still speaks to the name: the TLS server name is the domain, and a
    /// certificate that does not prove it is refused.
    @Test func tls_sendsTheNameAndChecksTheCertificate() async throws {
        let world = try OutsideWorld()
        defer { world.stop() }
        let setup = try await Self.setUp(world)
        defer { setup.server.stop() }
        try world.publish(
            addresses: [Self.domain: ["127.0.0.2"]],
            redirects: [setup.path: "https://\(Self.domain):\(world.httpsPort)\(setup.path)"])
        let answer = try await setup.check()
        #expect(answer.status == 422 && !answer.detail.contains("refused: "), "\(answer.detail)")
        #expect(world.serverNames() == [Self.domain], "SNI names the domain, not the address")
        #expect(world.connections()["127.0.0.2 (TLS)"] == 1, "one attempt, not a retry until the deadline")
        #expect(answer.detail.contains("certificate"), "says the certificate failed: \(answer.detail)")
    }

    @Test func dnsRebinding_theCheckedAddressIsTheOneConnectedTo() async throws {
        let world = try OutsideWorld()
        defer { world.stop() }
        let setup = try await Self.setUp(world)
        defer { setup.server.stop() }
        // The first answer is allowed, every later one is loopback: a client that looked the name up
        // again after the check would reach 127.0.0.3.
        try world.publish(
            http: [setup.path: "not yet"], addressSequence: [Self.domain: [["127.0.0.2"], ["127.0.0.3"]]])
        let first = try await setup.check()
        #expect(first.status == 422 && first.detail.contains("the body is not the token"), "\(first.detail)")
        #expect(world.connections()["127.0.0.2"] == 1 && world.connections()["127.0.0.3"] == nil)
        try await setup.expectRefusal("the second answer", ["loopback"])
        #expect(world.connections()["127.0.0.3"] == nil, "never connected to the rebound address")
    }

    @Test func theAllowedRange_works_andItsNeighboursDoNot() async throws {
        let world = try OutsideWorld()
        defer { world.stop() }
        let setup = try await Self.setUp(world)
        defer { setup.server.stop() }
        try world.publish(http: [setup.path: setup.token], addresses: [Self.domain: ["127.0.0.3"]])
        try await setup.expectRefusal("127.0.0.3, next to the allowed 127.0.0.2", ["loopback"])
        try world.publish(http: [setup.path: "internal secret body"], addresses: [Self.domain: ["127.0.0.2"]])
        let wrong = try await setup.check()
        #expect(wrong.status == 422 && !wrong.detail.contains("internal secret body"), "never echoes a body")
        try world.publish(
            http: [setup.path: setup.token + String(repeating: " ", count: 5_000)],
            addresses: [Self.domain: ["127.0.0.2"]])
        let large = try await setup.check()
        try world.publish(addresses: [Self.domain: ["127.0.0.2"]], silent: [setup.path])
        let silent = try await setup.check()
        #expect(
            silent.status == 422 && silent.detail.contains("no answer in time"), "bounded in time: \(silent.detail)")
        #expect(large.status == 422 && large.detail.contains("larger than 4096 bytes"), "a body is read up to a limit")
        try world.publish(http: [setup.path: setup.token], addresses: [Self.domain: ["127.0.0.2"]])
        let (status, detail) = try await setup.check()
        #expect(status == 200, "the allowed address is checked and passes: \(detail)")
        #expect(world.hosts().last == "\(Self.domain):\(world.httpPort)", "the name goes in the Host header")
        #expect(world.connections()["127.0.0.5"] == nil, "not through the environment's proxy")
        let metrics = String(decoding: try await setup.server.request("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("statusd_outbound_requests_total{purpose=\"domain_check\",outcome=\"answered\"} 2"))
        #expect(metrics.contains("statusd_outbound_requests_total{purpose=\"domain_check\",outcome=\"failed\"} 2"))
    }

    @Test func theAllowList_refusesEverythingAndWhatIsNotARange() throws {
        for (value, message) in [
            ("0.0.0.0/0", "would allow every address"), ("::/0", "would allow every address"),
            ("10.0.0.0/33", "is not an address range"), ("example.com", "is not an address range"),
        ] {
            let run = try CommandLineTests.run(["serve", "--outbound-allow", value])
            #expect(run.status != 0 && run.stderr.contains(message), "\(value): \(run.stderr)")
        }
    }
}
