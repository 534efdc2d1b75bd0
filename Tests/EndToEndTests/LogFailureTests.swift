import Foundation
import TestSupport
import Testing

/// A failing disk: the write that meets it answers 503, statusd drains and exits non-zero by itself,
/// and a restart holds exactly the acknowledged writes (invariant 1 (docs/ARCHITECTURE.md)).
@Suite(
    .disabled(
        if: TestLog.onPostgres, "faults of the local WAL's files; the log on PostgreSQL is tested unreachable instead"))
struct LogFailureTests {
    /// A full disk on the write, a write cut short by it, a failing device on the fsync, a file-size limit.
    static let faults = [
        "ops=write,path=.wal,after=2,errno=ENOSPC", "ops=write,path=.wal,after=2,errno=ENOSPC,short,times=1",
        "ops=sync,path=.wal,after=2,errno=EIO", "ops=write,path=.wal,after=2,errno=EFBIG",
    ]

    @Test(arguments: faults)
    func failedLog_answers503_exitsNonZero_andKeepsEveryAcknowledgedWrite(_ fault: String) async throws {
        let data = OperatorCommandTests.temporary("fail")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let client = APIClient(token: try TwoTenants.createOrganization("acme", data: data))
        let failing = try StatusdProcess(
            arguments: [], dataDirectory: URL(fileURLWithPath: data),
            environment: ["STATUSD_TEST_FILE_FAULTS": fault])
        client.server = failing
        var acknowledged: [String] = []
        var refused: APIClient.Answer?
        for index in 0..<5 {
            let answer = try await client.call("POST", "/api/services", ["name": "S\(index)"])
            guard answer.status == 201 else {
                refused = answer
                break
            }
            acknowledged.append(try #require(answer.json["id"] as? String))
        }
        #expect(acknowledged.count == 2, "two batches were written before the disk 'broke'")
        #expect(refused?.status == 503 && refused?.headers["content-type"] == "application/problem+json")
        #expect(refused?.text.contains("log") == true, "\(refused?.text ?? "")")

        let deadline = Date().addingTimeInterval(30)  // a bound, not a speed: it exits in well under a second
        while failing.process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!failing.process.isRunning, "statusd stops by itself when its log fails")
        #expect(failing.process.terminationStatus != 0)

        let restarted = try StatusdProcess(arguments: [], dataDirectory: URL(fileURLWithPath: data))
        client.server = restarted
        let services = try await client.call("GET", "/api/services")
        #expect(services.items.compactMap { $0["id"] as? String }.sorted() == acknowledged.sorted())
    }
}
