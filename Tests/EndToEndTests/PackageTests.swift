import Foundation
import TestSupport
import Testing

/// The Debian package (`make package`, scripts/package.sh) made from the binary these tests run,
/// installed with apt-get, run the way its unit's ExecStart says as the statusd user, written to,
/// restarted and read, then purged (`Scripts/package_check.sh`, which also verifies the unit with
/// systemd-analyze and checks with ldd that nothing comes from the Swift toolchain).
@Suite(
    .disabled(if: TestLog.onPostgres, "installs on this machine; once per run is enough"),
    .enabled(if: getuid() == 0, "installs a package: needs root (CI runs as root)"))
struct PackageTests {
    @Test func thePackage_installs_runsAsItsUnitSays_keepsItsData_andPurges() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Scripts/package_check.sh")
        let (status, text) = try await OffThePool.outcome(of: script.path, [StatusdProcess.binary.path])
        #expect(status == 0, "\(text.suffix(4_000))")
        for check in [
            "ok: ldd names nothing from the Swift toolchain", "ok: systemd-analyze verify",
            "ok: configuration root:statusd 0640", "ok: the write is there after a restart", "ok: done",
        ] {
            #expect(text.contains(check), "\(check): \(text.suffix(2_000))")
        }
    }
}
