import Engine
import Foundation
import HashTreeCollections
import Logging
import PostgresNIO
import TestSupport
import Testing

@testable import PostgresLog

/// Two processes writing one organization on one log, as two cluster nodes do: each node's actor
/// decides against its own copy, the log refuses what was decided on a stale one, and the actor sets
/// itself back, catches up and decides again. However the writes interleave, the log holds one
/// history in which every acknowledged write is present exactly once.
@Suite(.serialized) struct TwoWritersTests {
    @Test func twoNodesWritingOneOrganization_leaveOneHistory_withEveryAcknowledgedWrite() async throws {
        let server = try await TemporaryPostgres.started()
        try await PostgresEventLogTests.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: PostgresEventLogTests.logger)
            let (logA, logB) = (try nodes.log("a", retryFor: .seconds(30)), try nodes.log("b", retryFor: .seconds(30)))
            let owner = AccountID.random()
            let id = OrgID.random()
            let nodeA = OrgActor(state: OrgState(id: id), log: logA)
            _ = try await nodeA.submit(
                .createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner), by: .account(owner))
            // Node B starts from the log, as a node that joins does.
            var replayed = OrgState(id: id)
            for case .organization(_, let event) in try await logB.records(of: .organization(id), after: Seq(0)) {
                replayed.evolve(event)
            }
            let nodeB = OrgActor(state: replayed, log: logB)

            let outcomes = try await withThrowingTaskGroup(of: (String, Result<Commit, EngineError>).self) { group in
                for index in 0..<40 {
                    let node = index % 2 == 0 ? nodeA : nodeB
                    let name = "service \(index)"
                    group.addTask {
                        do {
                            let commit = try await node.submit(
                                .createService(
                                    name: name, description: "", status: .operational, groupID: nil, position: nil),
                                by: .account(owner))
                            return (name, .success(commit))
                        } catch let error as EngineError {
                            return (name, .failure(error))
                        }
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let acknowledged = Set(outcomes.compactMap { name, outcome in (try? outcome.get()).map { _ in name } })
            for case (let name, .failure(let error)) in outcomes {
                #expect(
                    error.code == .conflict,
                    "\(name): only other writers winning for the whole patience may fail a write, as 409: \(error)")
            }
            #expect(acknowledged.count >= 20, "most writes land: \(acknowledged.count) of 40")

            var history = OrgState(id: id)
            let records = try await logA.records(of: .organization(id), after: Seq(0))
            for case .organization(_, let event) in records {
                #expect(event.seq == history.seq.next, "one linear history")
                history.evolve(event)
            }
            let names = history.services.values.map(\.name)
            #expect(Set(names) == acknowledged, "every acknowledged write, and only those")
            #expect(names.count == Set(names).count, "none twice")
        }
    }

    /// The directory is one stream every node writes (sign-ups, sessions): interleaved sign-ups all land
    /// once, and one address signed up on both nodes at once lands once; the other node, caught up,
    /// finds the address taken and says so, as one process would.
    @Test func twoNodesWritingTheDirectory_signUpEachAddressOnce() async throws {
        let server = try await TemporaryPostgres.started()
        try await PostgresEventLogTests.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: PostgresEventLogTests.logger)
            let nodeA = Directory(log: try nodes.log("a", retryFor: .seconds(30)))
            let nodeB = Directory(log: try nodes.log("b", retryFor: .seconds(30)))
            let outcomes = try await withThrowingTaskGroup(of: (String, EngineError?).self) { group in
                for index in 0..<30 {
                    let node = index % 2 == 0 ? nodeA : nodeB
                    // Addresses 0-9 are signed up on both nodes, the others on one.
                    let email = "person\(index % 20)@example.com"
                    group.addTask {
                        do {
                            _ = try await node.submit(.signUp(email: email, name: "P", passwordHash: nil))
                            return (email, nil)
                        } catch let error as EngineError {
                            return (email, error)
                        }
                    }
                }
                return try await group.reduce(into: [(String, EngineError?)]()) { $0.append($1) }
            }
            let landed = outcomes.filter { $0.1 == nil }.map(\.0)
            for case (let email, let error?) in outcomes {
                #expect(error.code != .unavailable, "\(email): a refused append never stops the directory: \(error)")
            }
            #expect(Set(landed).count == landed.count, "no address signed up twice: \(landed.sorted())")
            var history = DirectoryState()
            for case .directory(let event) in try await nodes.log("reader").records(of: .directory, after: Seq(0)) {
                #expect(event.seq == history.seq.next, "one linear history")
                history.evolve(event)
            }
            #expect(Set(history.accountsByEmail.keys) == Set(landed), "every acknowledged sign-up, and only those")
            #expect(history.accounts.count == landed.count)
        }
    }
}
