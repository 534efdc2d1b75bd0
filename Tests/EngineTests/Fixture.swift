import Engine
import Foundation
import HashTreeCollections

/// An organization evolved command by command with `decide` and `evolve` only: no actor, no log.
struct Fixture {
    var state = OrgState(id: .random())
    var events: [OrgEvent] = []
    var now = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21, a fixed instant
    let owner = AccountID.random()

    init(timeZone: String = "UTC") throws {
        try run(.createOrganization(slug: "acme", name: "Acme", timeZone: timeZone, owner: owner))
    }

    /// Decides `command` as `principal` (the owner by default) and evolves the state with the result.
    @discardableResult
    mutating func run(_ command: OrgCommand, by principal: Principal? = nil) throws -> [OrgChange] {
        let by = principal ?? .account(owner)
        let changes = try state.decide(command, by: by, at: now)
        for change in changes {
            let event = OrgEvent(seq: state.seq.next, at: now, by: by, change: change)
            state.evolve(event)
            events.append(event)
        }
        return changes
    }

    mutating func advance(_ seconds: TimeInterval) { now += seconds }

    mutating func service(_ name: String, status: ServiceStatus = .operational) throws -> ServiceID {
        let changes = try run(.createService(name: name, description: "", status: status, groupID: nil, position: nil))
        guard case .serviceCreated(let service) = changes.first else { fatalError("no service created") }
        return service.id
    }

    mutating func incident(_ affected: [ServiceID: ServiceStatus], impact: IncidentImpact = .major) throws -> IncidentID
    {
        let draft = IncidentDraft(
            name: "Outage", status: .investigating, impact: impact, body: "Looking into it",
            affected: affected.map { AffectedService(serviceID: $0.key, status: $0.value) })
        guard case .incidentCreated(let incident) = try run(.createIncident(draft)).first else {
            fatalError("no incident created")
        }
        return incident.id
    }

    mutating func resolve(_ id: IncidentID) throws {
        try run(.postIncidentUpdate(id, status: .resolved, body: "Fixed", affected: nil))
    }

    func status(_ id: ServiceID) -> ServiceStatus? { state.services[id]?.status }

    /// Replays every event so far into a fresh state with `evolve` alone.
    func replayed() -> OrgState {
        var fresh = OrgState(id: state.id)
        for event in events { fresh.evolve(event) }
        return fresh
    }
}

/// Runs `body` and returns the `EngineError` it throws, or nil.
func engineError(_ body: () throws -> Void) -> EngineError? {
    do {
        try body()
        return nil
    } catch let error as EngineError {
        return error
    } catch {
        return nil
    }
}
