import Foundation
import Persistence

/// A progress line on standard error, once a second, for runs longer than a glance.
struct ProgressLine: Sendable {
    let label: String
    let total: Double

    func run(until deadline: ContinuousClock.Instant) async {
        let start = ContinuousClock.now
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .seconds(1))
            let elapsed = min(total, (ContinuousClock.now - start).seconds)
            FileHandle.standardError.write(
                Data("\r\(label): \(String(format: "%.0f", elapsed))/\(String(format: "%.0f", total)) s".utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
