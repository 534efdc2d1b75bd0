import Engine
import Foundation
import HashTreeCollections
import Testing

/// Every validation rule of `decide`, table-driven: the command, the code and the field it names.
@Suite struct OrgStateValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let command: @Sendable (inout Fixture) throws -> OrgCommand
        let code: EngineError.Code
        let field: String?
        var testDescription: String { name }
    }

    static let longName = String(repeating: "x", count: TextLimits.nameCharactersMax + 1)

    static let cases: [Case] = [
        Case(
            name: "empty service name",
            command: { _ in
                .createService(name: "  ", description: "", status: .operational, groupID: nil, position: nil)
            }, code: .invalid, field: "name"),
        Case(
            name: "overlong service name",
            command: { _ in
                .createService(name: longName, description: "", status: .operational, groupID: nil, position: nil)
            }, code: .invalid, field: "name"),
        Case(
            name: "control characters in a name",
            command: { _ in
                .createService(name: "a\u{7}b", description: "", status: .operational, groupID: nil, position: nil)
            }, code: .invalid, field: "name"),
        Case(
            name: "overlong description",
            command: { _ in
                .createService(
                    name: "API", description: String(repeating: "d", count: 2_001), status: .operational, groupID: nil,
                    position: nil)
            }, code: .invalid, field: "description"),
        Case(
            name: "negative position",
            command: { _ in
                .createService(name: "API", description: "", status: .operational, groupID: nil, position: -1)
            }, code: .invalid, field: "position"),
        Case(
            name: "unknown group",
            command: { _ in
                .createService(name: "API", description: "", status: .operational, groupID: .random(), position: nil)
            }, code: .notFound, field: "group_id"),
        Case(
            name: "unknown service update", command: { _ in .updateService(.random(), ServicePatch(name: "x")) },
            code: .notFound, field: "id"),
        Case(
            name: "unknown service status", command: { _ in .setServiceStatus(.random(), .majorOutage) },
            code: .notFound, field: "id"),
        Case(name: "unknown group delete", command: { _ in .deleteGroup(.random()) }, code: .notFound, field: "id"),
        Case(
            name: "incident with unknown service",
            command: { _ in
                .createIncident(
                    IncidentDraft(
                        name: "x", status: .investigating, impact: .minor, body: "b",
                        affected: [AffectedService(serviceID: .random(), status: .majorOutage)]))
            }, code: .notFound, field: "affected_services[0].service_id"),
        Case(
            name: "incident naming a service twice",
            command: { f in
                let s = try f.service("API");
                return .createIncident(
                    IncidentDraft(
                        name: "x", status: .investigating, impact: .minor, body: "b",
                        affected: [
                            AffectedService(serviceID: s, status: nil),
                            AffectedService(serviceID: s, status: .majorOutage),
                        ]))
            }, code: .invalid, field: "affected_services[1].service_id"),
        Case(
            name: "incident with empty body",
            command: { _ in
                .createIncident(
                    IncidentDraft(name: "x", status: .investigating, impact: .minor, body: "", affected: []))
            }, code: .invalid, field: "body"),
        Case(
            name: "incident starting in postmortem",
            command: { _ in
                .createIncident(IncidentDraft(name: "x", status: .postmortem, impact: .minor, body: "b", affected: []))
            }, code: .invalid, field: "status"),
        Case(
            name: "update of unknown incident",
            command: { _ in .postIncidentUpdate(.random(), status: nil, body: "b", affected: nil) }, code: .notFound,
            field: "id"),
        Case(
            name: "reopening a resolved incident",
            command: { f in
                let i = try f.incident([:]); try f.resolve(i);
                return .postIncidentUpdate(i, status: .investigating, body: "again", affected: nil)
            }, code: .conflict, field: "status"),
        Case(
            name: "postmortem before resolution",
            command: { f in
                let i = try f.incident([:]);
                return .postIncidentUpdate(i, status: .postmortem, body: "pm", affected: nil)
            }, code: .conflict, field: "status"),
        Case(
            name: "maintenance ending before it starts",
            command: { f in
                .scheduleMaintenance(
                    MaintenanceDetails(
                        name: "m", description: "", scheduledStart: f.now + 100, scheduledEnd: f.now + 50, affected: [])
                )
            }, code: .invalid, field: "scheduled_end"),
        Case(
            name: "maintenance in the year 9999 (the log's codec refuses such times)",
            command: { f in
                .scheduleMaintenance(
                    MaintenanceDetails(
                        name: "m", description: "", scheduledStart: f.now,
                        scheduledEnd: Date(timeIntervalSince1970: 253_402_300_000), affected: []))
            }, code: .invalid, field: "scheduled_end"),
        Case(
            name: "maintenance with unknown service",
            command: { f in
                .scheduleMaintenance(
                    MaintenanceDetails(
                        name: "m", description: "", scheduledStart: f.now, scheduledEnd: f.now + 50,
                        affected: [.random()]))
            }, code: .notFound, field: "affected_services[0]"),
        Case(
            name: "completing a window never started",
            command: { f in
                let c = try f.run(
                    .scheduleMaintenance(
                        MaintenanceDetails(
                            name: "m", description: "", scheduledStart: f.now + 60, scheduledEnd: f.now + 120,
                            affected: [])));
                guard case .maintenanceScheduled(let w) = c[0] else { fatalError() };
                return .setMaintenanceStatus(w.id, .completed, body: nil)
            }, code: .conflict, field: "status"),
        Case(
            name: "reserved slug", command: { _ in .updateOrganization(OrgPatch(slug: "admin")) }, code: .invalid,
            field: "slug"),
        Case(
            name: "slug with capitals", command: { _ in .updateOrganization(OrgPatch(slug: "Acme")) }, code: .invalid,
            field: "slug"),
        Case(
            name: "slug too short", command: { _ in .updateOrganization(OrgPatch(slug: "a")) }, code: .invalid,
            field: "slug"),
        Case(
            name: "unknown time zone", command: { _ in .updateOrganization(OrgPatch(timeZone: "Mars/Olympus")) },
            code: .invalid, field: "time_zone"),
        Case(
            name: "accent colour not #rrggbb", command: { _ in .updateOrganization(OrgPatch(accentColor: "red")) },
            code: .invalid, field: "accent_color"),
        Case(
            name: "logo over http",
            command: { _ in .updateOrganization(OrgPatch(logoURL: "http://example.com/logo.png")) }, code: .invalid,
            field: "logo_url"),
        Case(
            name: "bad custom domain", command: { _ in .updateOrganization(OrgPatch(customDomain: "not a domain")) },
            code: .invalid, field: "custom_domain"),
        Case(
            name: "custom domain that is an address",
            command: { _ in .updateOrganization(OrgPatch(customDomain: "169.254.169.254")) }, code: .invalid,
            field: "custom_domain"),
        Case(
            name: "custom domain that is an address in hex",
            command: { _ in .updateOrganization(OrgPatch(customDomain: "0x7f.1")) }, code: .invalid,
            field: "custom_domain"),
        Case(
            name: "custom domain under a numeric top-level domain",
            command: { _ in .updateOrganization(OrgPatch(customDomain: "status.example.123")) }, code: .invalid,
            field: "custom_domain"),
        Case(
            name: "invitation to a bad email",
            command: { f in .invite(email: "nobody", role: .editor, tokenHash: [1], expiresAt: f.now + 60) },
            code: .invalid, field: "email"),
        Case(
            name: "accepting an unknown token",
            command: { _ in .acceptInvitation(tokenHash: [9, 9], account: .random(), email: "a@example.com") },
            code: .notFound, field: "token"),
        Case(
            name: "removing the last owner", command: { f in .removeMember(f.state.members.values.first!.id) },
            code: .conflict, field: "role"),
        Case(
            name: "demoting the last owner",
            command: { f in .changeMemberRole(f.state.members.values.first!.id, .admin) }, code: .conflict,
            field: "role"),
        Case(name: "unknown key", command: { _ in .revokeKey(.random()) }, code: .notFound, field: "id"),
        Case(
            name: "empty key name", command: { _ in .createKey(name: "", role: .editor, secretHash: [1]) },
            code: .invalid, field: "name"),
    ]

    @Test(arguments: cases)
    func decide_invalidCommand_throwsNamingField(_ testCase: Case) throws {
        var fixture = try Fixture()
        let command = try testCase.command(&fixture)
        let before = fixture.state
        let error = engineError { try fixture.run(command) }
        #expect(error?.code == testCase.code, "\(String(describing: error))")
        #expect(error?.field == testCase.field, "\(String(describing: error))")
        #expect(fixture.state == before, "a refused command changes nothing")
    }

    @Test func decide_quotaFull_throwsQuotaExceeded() throws {
        var fixture = try Fixture()
        for index in 0..<OrgQuotas().keysMax {
            try fixture.run(.createKey(name: "key \(index)", role: .viewer, secretHash: [UInt8(index % 256)]))
        }
        let error = engineError { try fixture.run(.createKey(name: "one more", role: .viewer, secretHash: [0])) }
        #expect(error?.code == .quotaExceeded)
        #expect(error?.field == "keys")
    }

    @Test func decide_unknownOrganization_isNotFound() {
        let state = OrgState(id: .random())
        let error = engineError {
            _ = try state.decide(.deleteOrganization, by: .system, at: Date())
        }
        #expect(error?.code == .notFound)
    }

    @Test func identifiers_parseOnlyTheirOwnKind() {
        let service = ServiceID.random()
        #expect(ServiceID(service.rawValue) == service)
        #expect(IncidentID(service.rawValue) == nil)
        #expect(ServiceID("svc_short") == nil)
        #expect(ServiceID("svc_" + String(repeating: "I", count: 20)) == nil, "capitals and look-alikes refused")
        #expect(ServiceID.random() != ServiceID.random())
        for _ in 0..<1_000 {
            let id = IncidentID.random()
            #expect(IncidentID(id.rawValue) == id, "text round trip of \(id)")
            #expect(id.rawValue.count == 24)
        }
        #expect(OrgID("org_zzzzzzzzzzzzzzzzzzzz")?.rawValue == "org_zzzzzzzzzzzzzzzzzzzz", "all 100 bits set")
        #expect(OrgID("org_00000000000000000001")?.low == 1)
    }

    @Test func statusInput_acceptsAliasesCaseInsensitively() {
        #expect(ServiceStatus(input: "Partial Outage") == .partialOutage)
        #expect(ServiceStatus(input: "DEGRADED") == .degradedPerformance)
        #expect(ServiceStatus(input: "major_outage") == .majorOutage)
        #expect(ServiceStatus(input: "Under Maintenance") == .underMaintenance)
        #expect(ServiceStatus(input: "broken") == nil)
        #expect(MaintenanceStatus(input: "In Progress") == .inProgress)
        #expect(IncidentStatus(input: "Resolved") == .resolved)
    }
}

/// A custom domain is served only once verified, and only while it stays the configured one.
@Suite struct CustomDomainTests {
    @Test func verification_holdsUntilTheSettingChanges() throws {
        var fixture = try Fixture()
        #expect(
            engineError { try fixture.run(.markCustomDomainVerified("status.acme.example")) }?.code == .conflict,
            "nothing configured")
        try fixture.run(.updateOrganization(OrgPatch(customDomain: .some("status.acme.example"))))
        #expect(fixture.state.servedDomain == nil, "configured, not verified")
        #expect(engineError { try fixture.run(.markCustomDomainVerified("other.example")) }?.code == .conflict)
        try fixture.run(.markCustomDomainVerified("status.acme.example"))
        #expect(fixture.state.servedDomain == "status.acme.example")
        #expect(try fixture.run(.markCustomDomainVerified("status.acme.example")).isEmpty, "once is enough")
        try fixture.run(.updateOrganization(OrgPatch(name: "Acme Inc")))
        #expect(fixture.state.servedDomain == "status.acme.example", "other settings leave it")
        try fixture.run(.updateOrganization(OrgPatch(customDomain: .some("status2.acme.example"))))
        #expect(
            fixture.state.servedDomain == nil && fixture.state.verifiedDomain == nil, "a new domain is checked anew")
        try fixture.run(.updateOrganization(OrgPatch(customDomain: .some("status.acme.example"))))
        #expect(fixture.state.servedDomain == nil, "going back needs a new check too")
        #expect(fixture.replayed() == fixture.state)
    }
}
