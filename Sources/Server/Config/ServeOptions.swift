import ArgumentParser
import Engine
import Foundation
import Persistence

/// The options of `statusd serve`. Each has a default and a unit where it has one. (Environment
/// variables and a configuration file are not read yet.)
struct ServeOptions: ParsableArguments {
    @Option(help: "Address to listen on. Loopback by default: put a proxy in front to serve the world.")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free one and prints it.")
    var port = 8080

    @Option(help: "Data directory: the write-ahead log, snapshots and the lock file live here.")
    var dataDir = "data"

    @Option(help: "When a write is acknowledged: always (after fdatasync), interval, or none. See README 'Durability'.")
    var fsync = "always"

    @Option(help: "Milliseconds between fdatasyncs under --fsync interval.")
    var fsyncIntervalMs = 1_000

    @Option(help: "Size of each WAL segment file in MiB (preallocated with zeros).")
    var walSegmentMib = 64

    @Option(help: "Seconds between snapshots when anything changed.")
    var snapshotIntervalSeconds = 300

    @Option(help: "Take a snapshot after this many events, whatever the interval.")
    var snapshotEveryEvents = 100_000

    @Option(
        help:
            "Per-organization limits, e.g. services=500,active_incidents=100 (names: \(OrgQuotas.optionNames.keys.sorted().joined(separator: ", ")))."
    )
    var quotas = ""

    @Flag(inversion: .prefixedNo, help: "Create the demo organization 'demo' at start when it does not exist.")
    var demo = false

    @Option(help: "Seconds public reads may be cached (Cache-Control max-age).")
    var cacheMaxAge = 5

    @Option(help: "Seconds a cache may serve a stale public read while it revalidates.")
    var cacheStaleWhileRevalidate = 30

    mutating func validate() throws {
        _ = try OrgQuotas.parse(quotas)
        guard ["always", "interval", "none"].contains(fsync) else {
            throw ValidationError("--fsync must be always, interval or none, got '\(fsync)'")
        }
        guard (1...86_400).contains(snapshotIntervalSeconds) else {
            throw ValidationError("--snapshot-interval-seconds must be 1...86400")
        }
        guard snapshotEveryEvents >= 1 else { throw ValidationError("--snapshot-every-events must be 1 or more") }
        guard (1...1_024).contains(walSegmentMib) else { throw ValidationError("--wal-segment-mib must be 1...1024") }
        guard (1...60_000).contains(fsyncIntervalMs) else {
            throw ValidationError("--fsync-interval-ms must be 1...60000")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
        guard cacheMaxAge >= 0 else { throw ValidationError("--cache-max-age must be 0 or more seconds") }
        guard cacheStaleWhileRevalidate >= 0 else {
            throw ValidationError("--cache-stale-while-revalidate must be 0 or more seconds")
        }
    }

    /// The WAL settings these options ask for.
    var walConfiguration: WALConfiguration {
        let policy: FsyncPolicy =
            switch fsync {
            case "interval": .interval(.milliseconds(fsyncIntervalMs))
            case "none": .none
            default: .always
            }
        var configuration = WALConfiguration(fsync: policy, segmentBytesMax: walSegmentMib << 20)
        // Test-only fault injection (end-to-end tests of a failing disk): after this many batches the
        // log fails as a broken disk would. Deliberately not a flag: nobody should find it in --help.
        configuration.failAfterBatches = ProcessInfo.processInfo.environment["STATUSD_TEST_WAL_FAIL_AFTER_BATCHES"]
            .flatMap { Int($0) }
        return configuration
    }
}
