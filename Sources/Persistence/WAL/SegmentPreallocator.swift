import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps one spare segment ready: a file of `size` zeros, written and fsynced on its own thread, so
/// that a segment roll is a rename rather than tens of megabytes of writes in the middle of a batch.
/// Zeros rather than `fallocate`: unwritten extents would cost a metadata commit on every fdatasync
/// (etcd's filePipeline does the same).
final class SegmentPreallocator: Sendable {
    private enum State {
        case idle
        case preparing
        case ready
        case failed(PersistenceError)
    }

    let sparePath: String
    private let size: Int
    private let state = Mutex(State.idle)
    private let finished = DispatchSemaphore(value: 0)

    init(walPath: String, size: Int) {
        self.sparePath = walPath + "/spare.tmp"
        self.size = size
        try? FileManager.default.removeItem(atPath: sparePath)
    }

    /// Starts preparing the spare if none is ready or under way.
    func prepare() {
        let start = state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .preparing
            return true
        }
        guard start else { return }
        Thread { [self] in
            let outcome: State
            do {
                try fill()
                outcome = .ready
            } catch let error as PersistenceError {
                outcome = .failed(error)
            } catch {
                outcome = .failed(PersistenceError(.io(errno: 0), path: sparePath, "\(error)"))
            }
            state.withLock { $0 = outcome }
            finished.signal()
        }.start()
    }

    /// Waits for the spare and hands its path over; the caller renames it, then calls `prepare()`.
    func take() throws -> String {
        prepare()
        while true {
            let current = state.withLock { state -> State in
                if case .ready = state { state = .idle }
                return state
            }
            switch current {
            case .idle: return sparePath  // was ready, now taken
            case .failed(let error): throw error
            case .preparing, .ready: finished.wait()
            }
        }
    }

    private func fill() throws {
        let file = try FileDescriptor.open(sparePath, flags: O_WRONLY | O_CREAT | O_TRUNC)
        defer { file.close() }
        let chunk = [UInt8](repeating: 0, count: min(size, 1 << 20))
        var offset = 0
        while offset < size {
            let count = min(chunk.count, size - offset)
            try chunk.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0.prefix(count)), at: offset) }
            offset += count
        }
        try file.syncData()
    }
}
