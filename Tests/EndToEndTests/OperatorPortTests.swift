import Foundation
import TestSupport
import Testing

/// The operator port: loopback only, separate from the public listener.
@Suite struct OperatorPortTests {
    @Test func snapshotOrganizationsAndBackup_onTheOperatorPortOnly() async throws {
        let server = try StatusdProcess(arguments: ["--demo", "--admin-port", "0"])
        let admin = try #require(server.adminURL, "statusd prints the operator port")
        #expect(admin.host == "127.0.0.1")
        #expect(try await server.request("/admin/organizations").status == 404, "not on the public port")

        let listed = try await server.request(admin, "/admin/organizations")
        #expect(listed.status == 200)
        let items = try #require(
            (try JSONSerialization.jsonObject(with: listed.body) as? [String: Any])?["items"] as? [[String: Any]])
        #expect(items.map { $0["slug"] as? String } == ["demo"])
        #expect(items.first?["services"] as? Int == 5)

        let snapshot = try await server.request(admin, "/admin/snapshot", method: "POST")
        #expect(snapshot.status == 200)
        let written = try #require(try JSONSerialization.jsonObject(with: snapshot.body) as? [String: Any])
        #expect((written["file"] as? String)?.hasSuffix(".lz4") == true, "\(written)")

        let target = FileManager.default.temporaryDirectory.appendingPathComponent("statusd-backup-\(UUID())")
        defer { try? FileManager.default.removeItem(at: target) }
        let body = try JSONSerialization.data(withJSONObject: ["target": target.path])
        let backup = try await server.request(admin, "/admin/backup", method: "POST", body: body)
        if TestLog.onPostgres {
            // The events are the database's: a copy of the data directory would not hold them.
            #expect(backup.status == 409)
            #expect(String(decoding: backup.body, as: UTF8.self).contains("pg_dump"))
            #expect(!FileManager.default.fileExists(atPath: target.path))
            return
        }
        #expect(backup.status == 201)
        let copied = try #require(try JSONSerialization.jsonObject(with: backup.body) as? [String: Any])
        #expect(copied["snapshot"] is String)
        #expect((copied["wal_segments"] as? Int ?? 0) >= 1)
        let again = try await server.request(admin, "/admin/backup", method: "POST", body: body)
        #expect(again.status == 422, "an existing folder is never overwritten")
        let relative = try await server.request(
            admin, "/admin/backup", method: "POST", body: Data(#"{"target":"backups/x"}"#.utf8))
        #expect(relative.status == 422)

        // The copy is a data directory a new statusd starts from, with the demo in it.
        server.stop()
        let restored = try StatusdProcess(arguments: [], dataDirectory: target)
        #expect(try await restored.request("/api/status/demo").status == 200)
    }

    @Test func adminHost_isLoopbackOnly() throws {
        let (status, stderr) = try CommandLineTests.run(["serve", "--admin-port", "0", "--admin-host", "0.0.0.0"])
        #expect(status != 0)
        #expect(stderr.contains("loopback"), "\(stderr)")
    }
}
