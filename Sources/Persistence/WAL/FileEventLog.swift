import DequeModule
import Dispatch
public import Engine  // FileEventLog implements Engine's EventLog protocol in its public API.
import Foundation
public import Logging  // Callers hand the log their Logger.
import NIOCore
import Synchronization

/// The write-ahead log: an `EventLog` on segment files with group commit.
///
/// `append` encodes its records on the caller's thread and enqueues them, with their positions,
/// before it suspends (the ordering contract of `EventLog`). One writer thread drains the queue:
/// everything waiting becomes one batch, one write and, under `always`, one fdatasync; then every
/// waiter of the batch is resumed. While it writes and syncs, new appends gather for the next batch.
/// A failed write or sync fails the log for good: every pending and later append throws `logFailed`.
public final class FileEventLog: EventLog {
    fileprivate struct Pending {
        let bytes: ByteBuffer
        let count: Int
        let end: LogPosition
        let continuation: CheckedContinuation<LogPosition, any Error>
    }

    private struct Shared {
        var queue = Deque<Pending>()
        var nextPosition: LogPosition
        var failure: PersistenceError?
        var closing = false
        var writerWaiting = false
    }

    public let configuration: WALConfiguration
    private let counters = Counters()
    /// Records per batch: how well group commit gathers writers.
    public let batchRecords = Distribution(bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024, 4_096])
    /// Seconds per fdatasync: what `always` costs every write.
    public let syncSeconds = Distribution(
        bounds: [0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1])
    private let walPath: String
    private let shared: Mutex<Shared>
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let logger: Logger

    /// Recovers the log in `directory` and starts its writer.
    /// - Parameter onRecord: receives every recovered record with its position, in log order, before
    ///   the log accepts appends.
    /// - Throws: `PersistenceError` for corruption (naming file and offset) or an unreadable directory.
    public static func open(
        _ directory: DataDirectory, configuration: WALConfiguration = WALConfiguration(), logger: Logger,
        start: WALStart? = nil, onRecord: (LogRecord, LogPosition) throws -> Void
    ) throws -> FileEventLog {
        let configuration = try configuration.validated()
        let outcome = try WALRecovery.recover(
            walPath: directory.walPath, batchBytesMax: configuration.batchBytesMax, repair: true, start: start,
            logger: logger, onRecord: onRecord)
        let first = outcome.tail?.nextPosition ?? start?.logEnd ?? LogPosition(0)
        let preallocator = SegmentPreallocator(walPath: directory.walPath, size: configuration.segmentBytesMax)
        let segment = try ActiveSegment(
            tail: outcome.tail, first: first, walPath: directory.walPath,
            segmentBytesMax: configuration.segmentBytesMax, preallocator: preallocator,
            directIO: configuration.directIO && configuration.fsync == .always)
        let log = FileEventLog(configuration: configuration, walPath: directory.walPath, next: first, logger: logger)
        log.startWriter(segment)
        return log
    }

    private init(configuration: WALConfiguration, walPath: String, next: LogPosition, logger: Logger) {
        self.configuration = configuration
        self.walPath = walPath
        self.shared = Mutex(Shared(nextPosition: next))
        self.logger = logger
    }

    public var appendPosition: LogPosition { shared.withLock { $0.nextPosition } }

    /// Batches, records and fdatasyncs so far: group commit at work, for metrics and benchmarks.
    public var statistics: WALStatistics {
        WALStatistics(
            batches: counters.batches.load(ordering: .relaxed), records: counters.records.load(ordering: .relaxed),
            syncs: counters.syncs.load(ordering: .relaxed))
    }

    /// The failure that stopped the log, if any.
    public var failure: PersistenceError? { shared.withLock { $0.failure } }

    public func append(_ records: [LogRecord], isolation: isolated (any Actor)?) async throws -> LogPosition {
        var bytes = ByteBuffer()
        bytes.reserveCapacity(192 * records.count)
        for record in records { bytes.writeWALRecord(record) }
        #if DEBUG
            // Paired assertion (TigerStyle): what we write must read back as what we were given.
            var check = bytes
            for record in records { assert((try? check.readWALRecord()) == record, "WAL codec round trip failed") }
        #endif
        guard bytes.readableBytes <= configuration.appendBytesMax else {
            throw PersistenceError(
                .tooLarge, path: walPath,
                "one append of \(bytes.readableBytes) bytes exceeds \(configuration.appendBytesMax)")
        }
        return try await withCheckedThrowingContinuation(isolation: isolation) { continuation in
            let signal = shared.withLock { shared -> Bool in
                if let failure = shared.failure {
                    continuation.resume(throwing: failure)
                    return false
                }
                if shared.closing {
                    continuation.resume(throwing: PersistenceError(.logFailed, path: walPath, "the log is closed"))
                    return false
                }
                shared.nextPosition = LogPosition(shared.nextPosition.rawValue + UInt64(records.count))
                shared.queue.append(
                    Pending(bytes: bytes, count: records.count, end: shared.nextPosition, continuation: continuation))
                defer { shared.writerWaiting = false }
                return shared.writerWaiting
            }
            if signal { wake.signal() }
        }
    }

    /// Deletes the segments that hold only records before `position` (the oldest kept snapshot's
    /// replay position), never the segment being written. Blocking: call it off the cooperative pool.
    /// - Returns: how many segments were deleted.
    @discardableResult
    public func trim(before position: LogPosition) throws -> Int {
        let segments = try WALFiles.segments(in: walPath)
        var deleted = 0
        for (index, segment) in segments.enumerated().dropLast() where segments[index + 1].1 <= position {
            try FileDescriptor.remove(walPath + "/" + segment.0)
            deleted += 1
        }
        if deleted > 0 { try FileDescriptor.syncDirectory(walPath) }
        return deleted
    }

    /// Writes what is queued, syncs, stops the writer and closes the segment. Appends after it throw.
    public func close() {
        let running = shared.withLock { shared -> Bool in
            defer { shared.closing = true }
            return !shared.closing
        }
        guard running else { return }
        wake.signal()
        stopped.wait()
    }

    private func startWriter(_ segment: ActiveSegment) {
        let writer = WALWriterLoop(log: self, segment: segment)
        Thread { writer.run() }.start()
    }

    // MARK: The writer thread's side

    /// Takes the next batch: everything queued, up to the batch limit. Empty when idle.
    fileprivate func takeBatch() -> (batch: [Pending], closing: Bool) {
        shared.withLock { shared in
            var taken: [Pending] = []
            var bytes = 0
            while let next = shared.queue.first,
                taken.isEmpty || bytes + next.bytes.readableBytes <= configuration.batchBytesMax
            {
                bytes += next.bytes.readableBytes
                taken.append(shared.queue.removeFirst())
            }
            if taken.isEmpty && !shared.closing { shared.writerWaiting = true }
            return (taken, shared.closing)
        }
    }

    fileprivate func waitForWork(timeout: DispatchTime) { _ = wake.wait(timeout: timeout) }

    fileprivate func acknowledge(_ batch: [Pending]) {
        guard !batch.isEmpty else { return }
        let records = batch.reduce(0) { $0 + $1.count }
        counters.batches.add(1, ordering: .relaxed)
        counters.records.add(records, ordering: .relaxed)
        batchRecords.record(Double(records))
        for pending in batch { pending.continuation.resume(returning: pending.end) }
    }

    /// Fails the log for good: this batch, everything queued, and every later append.
    fileprivate func fail(_ batch: [Pending], _ error: any Error) {
        let failure = PersistenceError(.logFailed, path: walPath, "the log failed and accepts no more writes: \(error)")
        logger.critical("\(failure)")
        let queued = shared.withLock { shared -> Deque<Pending> in
            shared.failure = failure
            defer { shared.queue.removeAll() }
            return shared.queue
        }
        for pending in batch + queued { pending.continuation.resume(throwing: failure) }
    }

    fileprivate func writerStopped() { stopped.signal() }

    /// Encodes a batch's header and records into one buffer: one write for the whole batch.
    fileprivate static func frame(_ batch: [Pending]) -> ByteBuffer {
        var records = ByteBuffer()
        records.reserveCapacity(batch.reduce(0) { $0 + $1.bytes.readableBytes })
        for pending in batch {
            var bytes = pending.bytes
            records.writeBuffer(&bytes)
        }
        var framed = ByteBuffer()
        framed.reserveCapacity(records.readableBytes + WALFormat.batchHeaderBytes)
        WALFormat.writeBatch(records: records, count: batch.reduce(0) { $0 + $1.count }, into: &framed)
        return framed
    }

    /// The loop of the writer thread: batch, write, sync per policy, acknowledge.
    fileprivate final class WALWriterLoop: @unchecked Sendable {
        // @unchecked: the segment and the sync bookkeeping are touched by the writer thread only.
        private let log: FileEventLog
        private let segment: ActiveSegment
        private var unsynced = false
        private var lastSync = ContinuousClock.now

        init(log: FileEventLog, segment: ActiveSegment) {
            self.log = log
            self.segment = segment
        }

        func run() {
            defer {
                segment.close()
                log.writerStopped()
            }
            while true {
                let (batch, closing) = log.takeBatch()
                if batch.isEmpty {
                    if closing {
                        try? segment.syncData()
                        return
                    }
                    log.waitForWork(timeout: idleTimeout())
                    do { try syncIfIntervalDue() } catch {
                        log.fail([], error)
                        return
                    }
                    continue
                }
                do {
                    try write(batch)
                } catch {
                    segment.rescindLastBatch()
                    log.fail(batch, error)
                    return
                }
                log.acknowledge(batch)
            }
        }

        private func write(_ batch: [Pending]) throws {
            let framed = FileEventLog.frame(batch)
            let first = LogPosition(batch[0].end.rawValue - UInt64(batch[0].count))
            try framed.withUnsafeReadableBytes { try segment.write($0, first: first) }
            switch log.configuration.fsync {
            case .always:
                try sync()
            case .interval:
                unsynced = true
                try syncIfIntervalDue()
            case .none:
                break
            }
        }

        private func syncIfIntervalDue() throws {
            guard case .interval(let interval) = log.configuration.fsync, unsynced,
                ContinuousClock.now - lastSync >= interval
            else { return }
            try sync()
        }

        private func sync() throws {
            let started = ContinuousClock.now
            try segment.syncData()
            let elapsed = ContinuousClock.now - started
            log.syncSeconds.record(elapsed.seconds)
            log.counters.syncs.add(1, ordering: .relaxed)
            unsynced = false
            lastSync = .now
        }

        private func idleTimeout() -> DispatchTime {
            guard case .interval(let interval) = log.configuration.fsync, unsynced else { return .distantFuture }
            let remaining = max(.zero, interval - (ContinuousClock.now - lastSync))
            let nanos = remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000
            return .now() + .nanoseconds(Int(nanos))
        }
    }
}

/// Counts of the log's work since it was opened.
public struct WALStatistics: Sendable {
    public let batches: Int
    public let records: Int
    public let syncs: Int
}

/// The log's counters, shared between the writer thread and readers of `statistics`.
private final class Counters: Sendable {
    let batches = Atomic<Int>(0)
    let records = Atomic<Int>(0)
    let syncs = Atomic<Int>(0)
}

/// Where a log restored from a snapshot starts: replay records from `replayFrom`; an empty log
/// continues at `logEnd`.
public struct WALStart: Sendable {
    public let replayFrom: LogPosition
    public let logEnd: LogPosition

    public init(replayFrom: LogPosition, logEnd: LogPosition) {
        self.replayFrom = replayFrom
        self.logEnd = logEnd
    }
}
