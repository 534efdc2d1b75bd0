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
        let (status, text) = try await OffThePool.outcome(
            of: WebSocketTests.python, [script.path, "--statusd", StatusdProcess.binary.path, "--check"])
        #expect(status == 0, "\(text.suffix(6_000))")
        #expect(text.contains("answers match"), "\(text.suffix(2_000))")
    }
}
