import Foundation

/// Runs blocking work (reading the whole log at start-up, writing an archive block, waiting for the
/// log writer to drain at shutdown) on a thread of its own and awaits it, so that the cooperative
/// threads that serve reads are never blocked on the disk.
public func onDedicatedThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
