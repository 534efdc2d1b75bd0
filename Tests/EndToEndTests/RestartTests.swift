import Foundation
import Testing

/// statusd keeps what it acknowledged across a graceful stop and a SIGKILL, and one data directory
/// serves one process.
@Suite struct RestartTests {
    static func summary(_ server: StatusdProcess) async throws -> (etag: String, body: Data) {
        let (status, headers, body) = try await server.request("/api/status/demo")
        #expect(status == 200)
        return (headers["etag"] ?? "", body)
    }

    @Test(arguments: ["graceful", "sigkill"])
    func restart_servesTheSameOrganization(_ stop: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "statusd-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try StatusdProcess(dataDirectory: directory)
        let before = try await Self.summary(first)
        if stop == "sigkill" {
            kill(first.process.processIdentifier, SIGKILL)
            first.process.waitUntilExit()
        } else {
            first.stop()
            #expect(first.process.terminationStatus == 0, "a graceful stop exits 0")
        }
        let second = try StatusdProcess(dataDirectory: directory)
        let after = try await Self.summary(second)
        #expect(after.etag == before.etag, "the same organization at the same version; the demo is not created twice")
        #expect(after.body == before.body)
    }

    @Test func secondProcess_onTheSameDataDirectory_refusesToStart() async throws {
        let first = try StatusdProcess()
        #expect(throws: StatusdProcess.StartError.self) {
            _ = try StatusdProcess(dataDirectory: first.dataDirectory)
        }
        #expect(try await first.request("/health").status == 200, "the first one serves on")
    }
}
