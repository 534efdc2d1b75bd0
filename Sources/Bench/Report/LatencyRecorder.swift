import Foundation
import Histogram

/// Latencies in microseconds, in an HdrHistogram (3 significant digits, up to 100 s).
struct LatencyRecorder: Sendable {
    private(set) var histogram = Histogram<UInt64>(
        highestTrackableValue: 100_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(_ duration: Duration) {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        _ = histogram.record(UInt64(max(1, micros)))
    }

    mutating func merge(_ other: LatencyRecorder) { histogram.add(other.histogram) }

    var count: UInt64 { histogram.totalCount }

    /// A percentile in microseconds.
    func percentile(_ value: Double) -> UInt64 { histogram.valueAtPercentile(value) }
}
