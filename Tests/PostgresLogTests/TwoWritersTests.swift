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
/// itself back, catches up and decides once more. However the writes interleave, the log holds one
/// history in which every acknowledged write is present exactly once.
@Suite(.serialized) struct TwoWritersTests {
    @Test func twoNodesWritingOneOrganization_leaveOneHistory_withEveryAcknowledgedWrite() async throws {
        let server = try TemporaryPostgres()
        try await PostgresEventLogTests.withClient(server) { client, nodes in
            _ = try await LogSchema.prepare(client, create: true, logger: PostgresEventLogTests.logger)
            let (logA, logB) = (try nodes.log("a"), try nodes.log("b"))
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
                #expect(error.code == .conflict, "\(name): only a second refusal may fail a write, as 409: \(error)")
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
}
