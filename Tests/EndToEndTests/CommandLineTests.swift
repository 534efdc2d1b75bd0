import Foundation
import TestSupport
import Testing

/// The command line answers bad arguments with a one-line error and a non-zero exit.
@Suite(.sameOnEitherLog) struct CommandLineTests {
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws
        -> (status: Int32, stderr: String)
    {
        let result = try runCapturing(arguments, environment: environment)
        return (result.status, result.stderr)
    }

    /// Runs `statusd` with `arguments` to completion; its exit status, standard output and error.
    /// - Parameter asNobody: run as uid/gid 65534 (through `setpriv` when the tests run as root, who
    ///   may write anywhere), to meet permissions as a service account does.
    static func runCapturing(_ arguments: [String], environment: [String: String] = [:], asNobody: Bool = false)
        throws -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        if asNobody && getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments =
                ["--reuid=65534", "--regid=65534", "--clear-groups", StatusdProcess.binary.path] + arguments
        } else {
            process.executableURL = StatusdProcess.binary
            process.arguments = arguments
        }
        // A command on a data directory works on its log: on PostgreSQL when the suite runs that way.
        var logEnvironment: [String: String] = [:]
        if let index = arguments.firstIndex(of: "--data-dir"), index + 1 < arguments.count {
            logEnvironment = try TestLog.environment(forDataDirectory: arguments[index + 1])
        }
        process.environment = ProcessInfo.processInfo.environment.merging(logEnvironment) { $1 }
            .merging(environment) { $1 }
        let errors = Pipe()
        let output = Pipe()
        process.standardError = errors
        process.standardOutput = output
        try process.run()
        // Read both pipes to their end on separate threads, so that neither fills and blocks the child.
        nonisolated(unsafe) var errorData = Data()
        let errorRead = DispatchSemaphore(value: 0)
        let reader = Thread {
            errorData = PipeReader.toEnd(errors.fileHandleForReading)
            errorRead.signal()
        }
        reader.start()
        let outputData = PipeReader.toEnd(output.fileHandleForReading)
        process.waitUntilExit()
        errorRead.wait()
        return (
            process.terminationStatus, String(decoding: outputData, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self)
        )
    }

    @Test(arguments: [
        ["serve", "--port", "70000"], ["serve", "--port", "abc"], ["serve", "--cache-max-age", "-1"],
        ["serve", "--quotas", "services=lots"], ["serve", "--quotas", "planets=3"], ["frobnicate"],
        ["serve", "--trusted-proxies", "10.0.0.0/99"], ["serve", "--trusted-proxies", "proxy.local"],
        ["serve", "--cors-origins", "example.com"], ["serve", "--cors-origins", "https://example.com/"],
    ])
    func badArguments_exitNonZero_withAReason(_ arguments: [String]) throws {
        let (status, stderr) = try Self.run(arguments)
        #expect(status != 0)
        #expect(stderr.contains("Error"), "\(stderr)")
    }
}
