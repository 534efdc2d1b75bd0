public import Foundation

/// Blocking work (a child process run to its end: a browser script, `initdb`, `pg_ctl`) on a thread of
/// its own. Swift's cooperative pool has one thread per core, two here: two tests blocked in a child's
/// exit at once stalled every other test of the process for as long (writes measured at 50 s that
/// statusd had answered at once).
public enum OffThePool {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

extension OffThePool {
    /// What a started `process` writes to `output` until it ends, and its exit, waited for off the pool.
    public static func output(of process: Process, _ output: Pipe) async throws -> Data {
        try await run {
            let data = PipeReader.toEnd(output.fileHandleForReading)
            process.waitUntilExit()
            return data
        }
    }
}

extension OffThePool {
    /// Runs `executable` with `arguments` to its end, off the pool: its exit status, and what it wrote
    /// to standard output and standard error.
    public static func outcome(of executable: String, _ arguments: [String]) async throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = try await Self.output(of: process, output)
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
