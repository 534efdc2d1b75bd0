import Engine
import Foundation

/// The writers' targets shared by the engine and WAL scenarios: organizations with one service per
/// writer, and the flip loop a monitor runs.
enum BenchTargets {
    /// Creates `organizations` organizations and one service per writer, spread round-robin.
    static func make(registry: Registry, writers: Int, organizations: Int) async throws -> [(OrgActor, ServiceID)] {
        var actors: [OrgActor] = []
        for index in 0..<organizations {
            _ = try await registry.createOrganization(
                slug: "bench-\(index)", name: "Bench \(index)", timeZone: "UTC", owner: .random())
            actors.append(registry.organization(slug: "bench-\(index)")!)
        }
        var targets: [(OrgActor, ServiceID)] = []
        for writer in 0..<writers {
            let actor = actors[writer % organizations]
            let commit = try await actor.submit(
                .createService(name: "S\(writer)", description: "", status: .operational, groupID: nil, position: nil),
                by: .system)
            guard case .serviceCreated(let service) = commit.events[0].change else { continue }
            targets.append((actor, service.id))
        }
        return targets
    }

    /// Flips one service between `major_outage` and `operational` until `deadline`, timing each command.
    static func flip(_ service: ServiceID, on actor: OrgActor, until deadline: ContinuousClock.Instant) async throws
        -> LatencyRecorder
    {
        var recorder = LatencyRecorder()
        var down = true
        while ContinuousClock.now < deadline {
            let begin = ContinuousClock.now
            _ = try await actor.submit(.setServiceStatus(service, down ? .majorOutage : .operational), by: .system)
            recorder.record(ContinuousClock.now - begin)
            down.toggle()
        }
        return recorder
    }

    /// Runs every writer's flip loop until `deadline`, with the progress line, and merges their latencies.
    static func flipAll(
        _ targets: [(OrgActor, ServiceID)], until deadline: ContinuousClock.Instant, progress: ProgressLine
    ) async throws -> LatencyRecorder {
        try await withThrowingTaskGroup(of: LatencyRecorder.self) { group in
            for (actor, service) in targets {
                group.addTask { try await flip(service, on: actor, until: deadline) }
            }
            group.addTask {
                await progress.run(until: deadline)
                return LatencyRecorder()
            }
            var merged = LatencyRecorder()
            for try await recorder in group { merged.merge(recorder) }
            return merged
        }
    }
}
