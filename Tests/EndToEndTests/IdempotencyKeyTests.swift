import Foundation
import Testing

/// The `Idempotency-Key` header over real sockets: a write retried with its key is answered with the
/// first outcome and applied once, also after a restart; a key is one request's, not another's.
@Suite struct IdempotencyKeyTests {
    static var incident: [String: Any] { ["name": "Checkout down", "body": "Investigating"] }

    @Test func aRetriedWrite_isAnsweredWithTheFirstOutcome_andAppliedOnce_evenAfterARestart() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let acme = tenants.acme
        let key = ["Idempotency-Key": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"]
        let first = try await acme.call("POST", "/api/incidents", Self.incident, headers: key)
        let again = try await acme.call("POST", "/api/incidents", Self.incident, headers: key)
        #expect(first.status == 201 && again.status == 201)
        #expect(again.json["id"] as? String == first.json["id"] as? String)
        #expect(again.headers["Location"] == first.headers["Location"])
        #expect(try await acme.call("GET", "/api/incidents").items.count == 1)

        // Another key, or none, is another write.
        #expect(
            try await acme.call("POST", "/api/incidents", Self.incident, headers: ["Idempotency-Key": "k2"]).status
                == 201)
        #expect(try await acme.call("POST", "/api/incidents", Self.incident).status == 201)
        #expect(try await acme.call("GET", "/api/incidents").items.count == 3)

        // The key is in the organization's log: a restarted statusd remembers it.
        tenants.server.stop()
        let restarted = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: tenants.dataDirectory))
        defer { restarted.stop() }
        acme.server = restarted
        let afterRestart = try await acme.call("POST", "/api/incidents", Self.incident, headers: key)
        #expect(afterRestart.status == 201)
        #expect(afterRestart.json["id"] as? String == first.json["id"] as? String)
        #expect(try await acme.call("GET", "/api/incidents").items.count == 3)
    }

    @Test func aRequestOfTwoCommands_retried_appliesEachOnce() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let acme = tenants.acme
        let id = try #require(try await acme.call("POST", "/api/incidents", Self.incident).json["id"] as? String)
        // A name and a status: an edit and an update, two commands, each keyed.
        let edit: [String: Any] = ["name": "Checkout slow", "status": "identified", "body": "Found it"]
        let key = ["Idempotency-Key": "edit-1"]
        for _ in 0..<3 {
            #expect(try await acme.call("PUT", "/api/incidents/\(id)", edit, headers: key).status == 200)
        }
        let incident = try await acme.call("GET", "/api/incidents/\(id)").json
        #expect((incident["updates"] as? [Any])?.count == 2, "the first update and one posted by the edit")
        #expect(incident["name"] as? String == "Checkout slow")
    }

    @Test func aKeyIsOneRequests_badKeysAndSecretsAreRefused() async throws {
        let tenants = try TwoTenants()
        defer { tenants.stop() }
        let acme = tenants.acme
        let key = ["Idempotency-Key": "used-once"]
        #expect(try await acme.call("POST", "/api/incidents", Self.incident, headers: key).status == 201)

        // The same key on another route: another request, refused rather than answered with the first.
        let elsewhere = try await acme.call("POST", "/api/services", ["name": "API"], headers: key)
        #expect(elsewhere.status == 422)
        #expect(elsewhere.field == "Idempotency-Key")
        #expect(try await acme.call("GET", "/api/services").items.isEmpty)

        // Keys of another tenant are theirs: globex's same key is a first use.
        #expect(try await tenants.globex.call("POST", "/api/incidents", Self.incident, headers: key).status == 201)

        for bad in ["has space", String(repeating: "k", count: 256), "naïve"] {
            let answer = try await acme.call("POST", "/api/incidents", Self.incident, headers: ["Idempotency-Key": bad])
            #expect(answer.status == 400, "\(bad)")
            #expect(answer.field == "Idempotency-Key")
        }
        #expect(try await acme.call("GET", "/api/incidents").items.count == 1)

        // An API key's secret is shown once: its creation is not answered again.
        let keyCreation = ["Idempotency-Key": "new-key"]
        let created = try await acme.call("POST", "/api/keys", ["name": "ci", "role": "editor"], headers: keyCreation)
        #expect(created.status == 201)
        let retried = try await acme.call("POST", "/api/keys", ["name": "ci", "role": "editor"], headers: keyCreation)
        #expect(retried.status == 409)
        #expect(retried.field == "Idempotency-Key")
        #expect(try await acme.call("GET", "/api/keys").items.count == 2, "the owner's key and the one created")
    }
}
