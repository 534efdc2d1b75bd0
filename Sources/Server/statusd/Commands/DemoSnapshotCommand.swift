import ArgumentParser
import Engine
import Foundation
import HTTP
import Live
import Persistence
import Wire

/// `statusd demo-snapshot`: builds the demo organization in memory with ordinary commands and writes it
/// as a snapshot: how `snapshots/demo.lz4` is made (ids are random; the content is the same each time).
struct DemoSnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-snapshot", abstract: "Write the demo organization as a snapshot file (snapshots/demo.lz4).")

    @Option(help: "File to write.")
    var output = "snapshots/demo.lz4"

    @Option(help: "When the demo's events happen, RFC 3339.")
    var at = "2026-11-23T08:00:00Z"

    @Option(help: "When its maintenance window starts, RFC 3339 (a window in the past would start and end at load).")
    var maintenanceAt = "2030-01-15T02:00:00Z"

    mutating func validate() throws {
        guard ISO8601DateFormatter().date(from: at) != nil else {
            throw ValidationError("--at must be an RFC 3339 time, got '\(at)'")
        }
        guard ISO8601DateFormatter().date(from: maintenanceAt) != nil else {
            throw ValidationError("--maintenance-at must be an RFC 3339 time, got '\(maintenanceAt)'")
        }
    }

    func run() async throws {
        let now = ISO8601DateFormatter().date(from: at)!
        let maintenanceStart = ISO8601DateFormatter().date(from: maintenanceAt)!
        let log = InMemoryEventLog()
        let registry = Registry(log: log, clock: { now })
        let directory = Directory(log: log, clock: { now })
        try await DemoOrganization.seed(registry: registry, directory: directory, maintenanceStart: maintenanceStart)
        let capture = registry.capture(log: log, directory: directory)
        let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
        let written = try SnapshotStore(path: folder).write(capture)
        try? FileManager.default.removeItem(atPath: output)
        try FileManager.default.moveItem(atPath: written.path, toPath: output)
        print("\(output): \(capture.organizations.count) organization, \(written.bytes) bytes")
    }
}
