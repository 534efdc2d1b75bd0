import Foundation
import TestSupport
import Testing

/// Every operation of the HTTP surface answers exactly as recorded in `Tests/Golden/answers`: a real
/// statusd with a frozen clock and seeded ids is asked the requests of `Tests/Golden/golden_scenario.py`,
/// and each answer's status, headers that matter and body must match byte for byte. It guards every
/// move of the server's code; a change of behaviour is recorded again on purpose
/// (`golden_answers.py --record`) and reviewed as a diff.
@Suite struct GoldenAnswerTests {
    @Test func everyOperation_answersAsRecorded() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden/golden_answers.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: WebSocketTests.python)
        process.arguments = [script.path, "--statusd", StatusdProcess.binary.path, "--check"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: try await OffThePool.output(of: process, output), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text.suffix(6_000))")
        #expect(text.contains("answers match"), "\(text.suffix(2_000))")
    }
}
