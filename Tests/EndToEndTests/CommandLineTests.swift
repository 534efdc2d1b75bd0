import Foundation
import Testing

/// The command line answers bad arguments with a one-line error and a non-zero exit.
@Suite struct CommandLineTests {
    static func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = StatusdProcess.binary
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(arguments: [["serve", "--port", "70000"], ["serve", "--port", "abc"], ["serve", "--cache-max-age", "-1"], ["frobnicate"]])
    func badArguments_exitNonZero_withAReason(_ arguments: [String]) throws {
        let (status, stderr) = try Self.run(arguments)
        #expect(status != 0)
        #expect(stderr.contains("Error"), "\(stderr)")
    }
}
