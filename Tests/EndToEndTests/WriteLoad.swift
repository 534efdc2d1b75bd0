import Foundation
import Synchronization

/// Writers creating incidents flat out against one or more statusd processes, each with a name of its
/// own, recording every answer: what was acknowledged (2xx) must be in the log exactly once, what was
/// refused or never answered at most once (also when sent again under its Idempotency-Key). Stops when told; every request is bounded by URLSession.
final class WriteLoad: Sendable {
    struct Outcome: Sendable {
        let name: String
        /// nil when no answer came (the node was killed, the connection reset).
        let status: Int?
        /// When it was sent, in seconds since the load started, and how long its answer took.
        let startedAt: Double
        let seconds: Double
        /// The answer's body, for a refusal other than 503 (what the test reports when it fails).
        let detail: String?
    }

    private let targets: Mutex<[StatusdProcess?]>
    private let token: String
    private let outcomes = Mutex<[Outcome]>([])
    private let stopped = Atomic<Bool>(false)
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let began = Date()

    /// With keys, each write carries an Idempotency-Key and is sent again, with it, until acknowledged,
    /// to the next target each time (another node, when there are several).
    private let keyed: Bool

    /// `writers` per target, target i sending to `targets[i]` (replaceable while the load runs).
    init(targets: [StatusdProcess], token: String, keyed: Bool = false) {
        self.targets = Mutex(targets.map { Optional($0) })
        self.token = token
        self.keyed = keyed
    }

    func start(writersPerTarget: Int) {
        let count = targets.withLock { $0.count }
        for target in 0..<count {
            for writer in 0..<writersPerTarget {
                let task = Task { await self.write(target: target, writer: writer) }
                tasks.withLock { $0.append(task) }
            }
        }
    }

    /// Points target `index` at another process (a restarted node), or at none while it is down.
    func replace(_ index: Int, with server: StatusdProcess?) {
        targets.withLock { $0[index] = server }
    }

    func stop() async {
        stopped.store(true, ordering: .relaxed)
        for task in tasks.withLock({ $0 }) { await task.value }
    }

    var all: [Outcome] { outcomes.withLock { $0 } }

    /// Seconds since the load started (to place the test's steps among the outcomes' times).
    var elapsed: Double { Date().timeIntervalSince(began) }

    /// The statuses answered, and the first refusal's body other than a 503's.
    var statuses: String {
        let all = self.all
        let counts = Dictionary(grouping: all.compactMap(\.status), by: { $0 }).mapValues(\.count)
        return "\(counts.sorted { $0.key < $1.key })" + (all.lazy.compactMap(\.detail).first.map { ": \($0)" } ?? "")
    }

    /// The `count` slowest answers: when each was sent, how long it took, what it answered.
    func slowest(_ count: Int) -> String {
        all.sorted { $0.seconds > $1.seconds }.prefix(count).map {
            String(
                format: "sent at %.1f s, %.1f s, %@", $0.startedAt, $0.seconds,
                $0.status.map(String.init) ?? "no answer")
        }.joined(separator: "; ")
    }

    func count(where predicate: (Outcome) -> Bool) -> Int {
        outcomes.withLock { $0.filter(predicate).count }
    }

    /// Waits (bounded) until `predicate` holds of the outcomes so far.
    func wait(seconds: Double = 60, until predicate: ([Outcome]) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if outcomes.withLock({ predicate($0) }) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    private func write(target: Int, writer: Int) async {
        var number = 1
        var attempt = 0
        while !stopped.load(ordering: .relaxed) {
            let index = targets.withLock { (target + attempt) % $0.count }
            guard let server = targets.withLock({ $0[index] }) else {
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            let name = "t\(target)-w\(writer)-\(number)"
            let body = try! JSONSerialization.data(withJSONObject: ["name": name, "body": "load"])
            var headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
            if keyed { headers["Idempotency-Key"] = name }
            let start = Date()
            let answer = try? await server.request("/api/incidents", method: "POST", headers: headers, body: body)
            let status = answer?.status
            if keyed, !(200..<300).contains(status ?? 0) {
                attempt += 1
            } else {
                number += 1
                attempt = 0
            }
            let detail = answer.flatMap {
                $0.status >= 400 && $0.status != 503 ? String(decoding: $0.body, as: UTF8.self) : nil
            }
            let outcome = Outcome(
                name: name, status: status, startedAt: start.timeIntervalSince(began),
                seconds: Date().timeIntervalSince(start), detail: detail)
            outcomes.withLock { $0.append(outcome) }
            if status == nil { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Every incident of the organization as `server` serves it: name -> how many incidents have it.
    static func incidentNames(on server: StatusdProcess, token: String) async throws -> [String: Int] {
        var names: [String: Int] = [:]
        var cursor: String?
        repeat {
            let path = "/api/incidents?limit=200" + (cursor.map { "&cursor=\($0)" } ?? "")
            let answer = try await server.request(path, headers: ["Authorization": "Bearer \(token)"])
            guard answer.status == 200,
                let json = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any],
                let items = json["items"] as? [[String: Any]]
            else { throw WriteLoadFailure(description: "listing incidents answered \(answer.status)") }
            for item in items { names[item["name"] as? String ?? "", default: 0] += 1 }
            cursor = json["next_cursor"] as? String
        } while cursor != nil
        return names
    }

    /// What is wrong with `names` (an organization's incidents) against the load's outcomes: an
    /// acknowledged write missing or present twice, any write present twice.
    func problems(in names: [String: Int]) -> [String] {
        var problems: [String] = []
        for outcome in all {
            let present = names[outcome.name] ?? 0
            if let status = outcome.status, (200..<300).contains(status), present != 1 {
                problems.append("\(outcome.name) was acknowledged (\(status)) and is present \(present) times")
            } else if present > 1 {
                problems.append("\(outcome.name) is present \(present) times")
            }
        }
        return problems
    }
}

struct WriteLoadFailure: Error, CustomStringConvertible {
    let description: String
}
