import Foundation
import TestSupport
import Testing

/// Every golden data directory in `snapshots/data-*/` (snapshots, the WAL after them, the history
/// archive, the delivery journal, the session key, as an earlier statusd left them) is opened by
/// today's statusd, which must answer the reads recorded with it: what an upgrade promises
/// (`Tests/Golden/golden_data.py`; docs/DEPLOY.md "Upgrades").
@Suite struct GoldenDataTests {
    @Test func everyGoldenDataDirectory_opensAndAnswersAsRecorded() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden/golden_data.py")
        let (status, text) = try await OffThePool.outcome(
            of: WebSocketTests.python, [script.path, "--statusd", StatusdProcess.binary.path, "--check"])
        #expect(status == 0, "\(text.suffix(6_000))")
        #expect(text.contains("data directories match"), "\(text.suffix(2_000))")
    }
}
