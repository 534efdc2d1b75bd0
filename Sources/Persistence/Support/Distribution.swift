import Synchronization

/// Observations counted into fixed buckets, for histograms on `/metrics`: the WAL writer thread
/// records a batch's size and an fdatasync's latency with one uncontended lock and no allocation, and
/// a scrape reads the counts. Persistence depends on no metrics library; the server renders these in
/// Prometheus's histogram format.
public final class Distribution: Sendable {
    public struct Counts: Sendable {
        /// Upper bounds, ascending; the counts are cumulative, as Prometheus's `le` buckets are.
        public let bounds: [Double]
        public let cumulative: [Int]
        public let sum: Double
        public let count: Int
    }

    public let bounds: [Double]
    private let state: Mutex<(buckets: [Int], sum: Double, count: Int)>

    public init(bounds: [Double]) {
        self.bounds = bounds
        state = Mutex((Array(repeating: 0, count: bounds.count), 0, 0))
    }

    public func record(_ value: Double) {
        let index = bounds.firstIndex { value <= $0 }
        state.withLock { state in
            if let index { state.buckets[index] += 1 }
            state.sum += value
            state.count += 1
        }
    }

    public var counts: Counts {
        let (buckets, sum, count) = state.withLock { ($0.buckets, $0.sum, $0.count) }
        var running = 0
        let cumulative = buckets.map { bucket in
            running += bucket
            return running
        }
        return Counts(bounds: bounds, cumulative: cumulative, sum: sum, count: count)
    }
}
