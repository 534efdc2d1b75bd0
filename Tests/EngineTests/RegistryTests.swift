import Engine
import Foundation
import HashTreeCollections
import Synchronization
import Testing

/// The registry's indexes follow the organizations' events; slugs are unique under concurrency.
@Suite struct RegistryTests {
    @Test func slug_isUniqueEvenUnderConcurrentCreation() async throws {
        let registry = Registry(log: InMemoryEventLog())
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    (try? await registry.createOrganization(
                        slug: "acme", name: "Acme", timeZone: "UTC", owner: .random())) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(registry.all.count == 1)
    }

    /// The page indicator's moves are events of their own (the live feed's `status_update`), appended
    /// to the batch of the command that moved it, and only when it moves.
    @Test func pageIndicatorMove_followsTheCommandThatMovedIt() async throws {
        let registry = Registry(log: InMemoryEventLog())
        _ = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: .random())
        let actor = try #require(registry.organization(slug: "acme"))
        func run(_ command: OrgCommand) async throws -> [OrgChange] {
            try await actor.submit(command, by: .system).events.map(\.change)
        }
        func service(_ name: String) async throws -> ServiceID {
            let changes = try await run(
                .createService(name: name, description: "", status: .operational, groupID: nil, position: nil))
            guard case .serviceCreated(let service) = changes.first else { throw CancellationError() }
            return service.id
        }
        let api = try await service("API")
        let web = try await service("Web")
        let down = try await run(.setServiceStatus(api, .majorOutage))
        #expect(down.count == 2)
        #expect(down.last == .pageStatusChanged(PageStatus(indicator: .major, description: "Major System Outage")))
        let bothDown = try await run(.setServiceStatus(web, .majorOutage))
        #expect(bothDown.last == .pageStatusChanged(actor.view.state.pageStatus))
        #expect(actor.view.state.pageStatus.indicator == .critical)
        let renamed = try await run(.updateService(api, ServicePatch(name: "Public API")))
        #expect(renamed.count == 1, "no move, no event")
        _ = try await run(.setServiceStatus(api, .operational))
        let back = try await run(.setServiceStatus(web, .operational))
        #expect(back.last == .pageStatusChanged(PageStatus(indicator: .none, description: "All Systems Operational")))
    }

    @Test func indexes_followSlugKeysMembersAndDeletion() async throws {
        let registry = Registry(log: InMemoryEventLog())
        let owner = AccountID.random()
        let commit = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner)
        guard case .organizationCreated(let id, _, _) = commit.events.first?.change else {
            Issue.record("no org"); return
        }
        let actor = try #require(registry.organization(slug: "acme"))
        #expect(actor.id == id)
        #expect(registry.organizations(member: owner).map(\.id) == [id])

        _ = try await registry.submit(
            .updateOrganization(OrgPatch(slug: "acme-corp", customDomain: "status.acme.com")), to: actor,
            by: .account(owner))
        #expect(registry.organization(slug: "acme") == nil)
        #expect(registry.organization(slug: "acme-corp")?.id == id)
        #expect(registry.organization(domain: "STATUS.acme.com")?.id == id)

        let key = try await registry.submit(
            .createKey(name: "ci", role: .editor, secretHash: [1]), to: actor, by: .account(owner))
        guard case .keyCreated(let created) = key.events.first?.change else { Issue.record("no key"); return }
        #expect(registry.organization(key: created.id)?.id == id)

        let other = try await registry.createOrganization(
            slug: "other", name: "Other", timeZone: "UTC", owner: .random())
        #expect(other.seq == Seq(1))
        await #expect(throws: EngineError.self) {
            _ = try await registry.submit(.updateOrganization(OrgPatch(slug: "other")), to: actor, by: .account(owner))
        }

        _ = try await registry.submit(.deleteOrganization, to: actor, by: .account(owner))
        #expect(registry.organization(slug: "acme-corp") == nil)
        #expect(registry.organization(key: created.id) == nil)
        #expect(registry.organizations(member: owner).isEmpty)
        await #expect(throws: EngineError.self) { _ = try await actor.submit(.deleteOrganization, by: .account(owner)) }
    }

    @Test func restore_fromReplayedLog_rebuildsTheSameStatesAndIndexes() async throws {
        let log = InMemoryEventLog()
        let registry = Registry(log: log)
        let owner = AccountID.random()
        _ = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner)
        let actor = try #require(registry.organization(slug: "acme"))
        for index in 0..<10 {
            _ = try await registry.submit(
                .createService(name: "S\(index)", description: "", status: .operational, groupID: nil, position: nil),
                to: actor, by: .account(owner))
        }
        var states: [OrgID: OrgState] = [:]
        for record in log.all {
            guard case .organization(let id, let event) = record else { continue }
            states[id, default: OrgState(id: id)].evolve(event)
        }
        let restored = Registry(log: InMemoryEventLog())
        restored.restore(Array(states.values))
        let copy = try #require(restored.organization(slug: "acme"))
        #expect(copy.view.state == actor.view.state)
        #expect(restored.organizations(member: owner).count == 1)
    }

    @Test func configuredQuotas_applyToNewAndRestoredOrganizations() async throws {
        var quotas = OrgQuotas()
        quotas.servicesMax = 2
        let log = InMemoryEventLog()
        let registry = Registry(log: log, quotas: quotas)
        let owner = AccountID.random()
        _ = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner)
        let actor = try #require(registry.organization(slug: "acme"))
        let create = OrgCommand.createService(
            name: "S", description: "", status: .operational, groupID: nil, position: nil)
        _ = try await registry.submit(create, to: actor, by: .account(owner))
        _ = try await registry.submit(create, to: actor, by: .account(owner))
        await #expect(throws: EngineError.self) {
            _ = try await registry.submit(create, to: actor, by: .account(owner))
        }

        var state = actor.view.state
        state.quotas = OrgQuotas()
        let restored = Registry(log: log, quotas: quotas)
        restored.restore([state])
        let copy = try #require(restored.organization(slug: "acme"))
        #expect(copy.view.state.quotas.servicesMax == 2, "the configuration, not the saved state, sets quotas")
    }

    @Test func maintenanceTimer_advancesDueWindows() async throws {
        let start = Date()
        let registry = Registry(log: InMemoryEventLog())
        let owner = AccountID.random()
        _ = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner)
        let actor = try #require(registry.organization(slug: "acme"))
        _ = try await registry.submit(
            .scheduleMaintenance(
                MaintenanceDetails(
                    name: "Now", description: "", scheduledStart: start - 10, scheduledEnd: start + 3600, affected: [])),
            to: actor, by: .account(owner))
        #expect(await registry.advanceDueMaintenance(now: Date()) == 1)
        #expect(actor.view.state.maintenance.values.first?.status == .inProgress)
        #expect(await registry.advanceDueMaintenance(now: Date()) == 0)
    }
}

/// The directory stream: accounts, sessions, identities.
@Suite struct DirectoryTests {
    @Test func signUp_isUniqueByEmail_caseInsensitively() async throws {
        let directory = Directory(log: InMemoryEventLog())
        _ = try await directory.submit(.signUp(email: "Ada@Example.com", name: "Ada", passwordHash: [1]))
        #expect(directory.state.account(email: "ada@example.com")?.name == "Ada")
        await #expect(throws: EngineError.self) {
            _ = try await directory.submit(.signUp(email: "ada@example.COM", name: "Other", passwordHash: [2]))
        }
    }

    @Test func passwordChange_closesEverySession() async throws {
        let directory = Directory(log: InMemoryEventLog())
        let events = try await directory.submit(.signUp(email: "a@example.com", name: "A", passwordHash: [1]))
        guard case .accountCreated(let account) = events[0].change else { Issue.record("no account"); return }
        let opened = try await directory.submit(.openSession(account.id, expiresAt: Date() + 3600))
        guard case .sessionOpened(let session) = opened[0].change else { Issue.record("no session"); return }
        #expect(directory.state.session(session.id, at: Date()) != nil)
        #expect(directory.state.session(session.id, at: Date() + 7200) == nil, "expired")
        _ = try await directory.submit(.changePassword(account.id, passwordHash: [2]))
        #expect(directory.state.session(session.id, at: Date()) == nil)
    }

    @Test func expiredSessions_areSweptByAnEvent() async throws {
        let start = Date()
        let clock = Mutex(start)
        let directory = Directory(log: InMemoryEventLog(), clock: { clock.withLock { $0 } })
        let events = try await directory.submit(.signUp(email: "a@example.com", name: "A", passwordHash: [1]))
        guard case .accountCreated(let account) = events[0].change else { return }
        _ = try await directory.submit(.openSession(account.id, expiresAt: start + 60))
        _ = try await directory.submit(.openSession(account.id, expiresAt: start + 3_600))
        #expect(try await directory.submit(.expireSessions).isEmpty, "nothing expired yet")
        clock.withLock { $0 = start + 120 }
        #expect(try await directory.submit(.expireSessions).count == 1)
        #expect(directory.state.sessions.count == 1)
    }

    @Test func identity_createsAnAccountOnce_andNeverTakesOverByEmail() async throws {
        let directory = Directory(log: InMemoryEventLog())
        let key = IdentityKey(issuer: "https://id.example.com/", subject: "auth0|42")
        _ = try await directory.submit(.linkIdentity(key, email: "new@example.com", name: "New"))
        #expect(directory.state.identities[key] != nil)
        #expect(try await directory.submit(.linkIdentity(key, email: "new@example.com", name: "New")).isEmpty)
        _ = try await directory.submit(.signUp(email: "taken@example.com", name: "T", passwordHash: [1]))
        let other = IdentityKey(issuer: "https://id.example.com/", subject: "auth0|43")
        await #expect(throws: EngineError.self) {
            _ = try await directory.submit(.linkIdentity(other, email: "taken@example.com", name: "X"))
        }
    }
}
