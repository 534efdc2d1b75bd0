import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The fault-injection seam of every file operation in Persistence: tests install a plan
/// for one directory tree, and the operations on paths under it fail as the plan says, exactly where
/// a real disk would fail them (`FileDescriptor` asks before each system call). Plans are keyed by
/// directory so that tests running in parallel, each in its own temporary directory, never see one
/// another's faults; with no plan installed the cost is one atomic load per operation.
///
/// Two kinds of plan: a `Rule` makes matching operations fail with an errno (or a write come up
/// short first), as a full disk, a failing device or a file-size limit would; a crash (`crashAfter`)
/// lets the first N operations under the tree through and fails every later one, which is what the
/// disk sees when the process dies between two operations.
package enum FileFaults {
    /// The kinds of file operation the seam sees.
    package enum Operation: String, Sendable, CaseIterable {
        case open, read, write, sync, rename, remove, truncate
    }

    /// One injected fault: which operations, after how many of them succeeded, and how they fail.
    package struct Rule: Sendable, CustomStringConvertible {
        package var operations: Set<Operation>
        /// Only paths containing this text match ("" matches every path under the tree).
        package var pathContains: String
        /// Matching operations that succeed before the fault.
        package var after: Int
        package var errno: Int32
        /// A write that fails first writes half of its bytes, as a write cut short by a full disk.
        package var shortWrite: Bool
        /// How many matching operations fail; nil: every one from then on.
        package var times: Int?

        package init(
            _ operations: Set<Operation>, pathContains: String = "", after: Int = 0, errno: Int32,
            shortWrite: Bool = false, times: Int? = nil
        ) {
            self.operations = operations
            self.pathContains = pathContains
            self.after = after
            self.errno = errno
            self.shortWrite = shortWrite
            self.times = times
        }

        package var description: String {
            let kinds = operations.map(\.rawValue).sorted().joined(separator: "+")
            return
                "\(shortWrite ? "short " : "")\(kinds) on '\(pathContains)' after \(after): \(FileFaults.name(errno))"
        }
    }

    /// A rule with the count of operations it matched so far.
    private struct Armed {
        var rule: Rule
        var seen = 0
    }

    private struct Plan {
        var rules: [Armed] = []
        var crashAfter: Int?
        var operations = 0

        /// - Returns: nil to let the operation through; else the errno and how many bytes a short write
        ///   may still write first (0: none, fail now).
        mutating func decide(_ operation: Operation, _ path: String, bytes: Int) -> (Int32, Int)? {
            operations += 1
            if let crashAfter, operations > crashAfter { return (EIO, 0) }
            for index in rules.indices {
                let rule = rules[index].rule
                guard rule.operations.contains(operation),
                    rule.pathContains.isEmpty || path.contains(rule.pathContains)
                else { continue }
                rules[index].seen += 1
                let failures = rules[index].seen - rule.after
                guard failures > 0, rule.times.map({ failures <= $0 }) ?? true else { continue }
                if rule.shortWrite && operation == .write && failures == 1 && bytes > 1 {
                    // The write's retry of the rest is the call that fails.
                    rules[index].rule.shortWrite = false
                    rules[index].rule.after += 1
                    return (rule.errno, bytes / 2)
                }
                return (rule.errno, 0)
            }
            return nil
        }
    }

    private static let plans = Mutex<[String: Plan]>([:])
    private static let installed = Atomic<Int>(0)

    /// Makes operations under `root` fail by `rules` until `removeAll(under:)`.
    package static func install(_ rules: [Rule], under root: String) {
        update(root) { $0.rules += rules.map { Armed(rule: $0) } }
    }

    /// Lets the next `operations` file operations under `root` through and fails every later one with
    /// EIO: a process that dies there.
    package static func crash(after operations: Int, under root: String) {
        update(root) {
            $0.crashAfter = operations
            $0.operations = 0
        }
    }

    /// File operations under `root` since its plan was installed.
    package static func operations(under root: String) -> Int {
        plans.withLock { $0[normalized(root)]?.operations ?? 0 }
    }

    package static func removeAll(under root: String) {
        plans.withLock { plans in
            if plans.removeValue(forKey: normalized(root)) != nil { installed.subtract(1, ordering: .relaxed) }
        }
    }

    /// Asks before `operation` on `path`. - Returns: how many of `bytes` a write may write before it
    /// fails (all of them when no fault applies). - Throws: the injected `PersistenceError`.
    static func check(_ operation: Operation, _ path: String, bytes: Int = 0) throws -> Int {
        guard installed.load(ordering: .relaxed) > 0 else { return bytes }
        let verdict = plans.withLock { plans -> (Int32, Int)? in
            guard let root = plans.keys.first(where: { path.hasPrefix($0 + "/") || path == $0 }) else { return nil }
            return plans[root]!.decide(operation, path, bytes: bytes)
        }
        guard let (code, allowed) = verdict else { return bytes }
        if allowed > 0 { return allowed }
        throw PersistenceError(
            .io(errno: code), path: path, "\(operation.rawValue) failed: \(String(cString: strerror(code))) (injected)")
    }

    private static func update(_ root: String, _ change: (inout Plan) -> Void) {
        plans.withLock { plans in
            let key = normalized(root)
            if plans[key] == nil { installed.add(1, ordering: .relaxed) }
            change(&plans[key, default: Plan()])
        }
    }

    private static func normalized(_ root: String) -> String {
        URL(fileURLWithPath: root).standardizedFileURL.path
    }

    /// The errno names a fault specification may use.
    package static let errnoNames: [String: Int32] = [
        "ENOSPC": ENOSPC, "EIO": EIO, "EFBIG": EFBIG, "EDQUOT": EDQUOT, "EROFS": EROFS, "EACCES": EACCES,
    ]

    static func name(_ code: Int32) -> String { errnoNames.first { $0.value == code }?.key ?? "errno \(code)" }
}

extension FileFaults.Rule {
    /// Rules from their text form, for end-to-end tests that make a real statusd's disk fail (the
    /// test-only variable `STATUSD_TEST_FILE_FAULTS`): rules separated by `;`, each a list of
    /// `ops=write+sync`, `path=.wal`, `after=2`, `errno=ENOSPC`, `times=1` and the word `short`.
    /// - Throws: `FaultSpecificationError` naming the part it cannot read.
    package static func parse(_ text: String) throws -> [FileFaults.Rule] {
        try text.split(separator: ";").map { specification in
            var rule = FileFaults.Rule([], errno: EIO)
            for part in specification.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                switch (pair[0], pair.count == 2 ? pair[1] : nil) {
                case ("short", nil): rule.shortWrite = true
                case ("path", let value?): rule.pathContains = value
                case ("after", let value?) where Int(value) != nil: rule.after = Int(value)!
                case ("times", let value?) where Int(value) != nil: rule.times = Int(value)!
                case ("errno", let value?) where FileFaults.errnoNames[value] != nil:
                    rule.errno = FileFaults.errnoNames[value]!
                case ("ops", let value?):
                    for name in value.split(separator: "+") {
                        guard let operation = FileFaults.Operation(rawValue: String(name)) else {
                            throw FaultSpecificationError(description: "unknown file operation '\(name)'")
                        }
                        rule.operations.insert(operation)
                    }
                default: throw FaultSpecificationError(description: "cannot read '\(part)' of a fault rule")
                }
            }
            return rule
        }
    }
}

/// A fault rule's text that does not read.
package struct FaultSpecificationError: Error, CustomStringConvertible {
    package let description: String
}
