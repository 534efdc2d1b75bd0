import CPlatform
import Foundation
import NIOCore
package import NIOPosix

/// The threads every delivery runs on, at a lower scheduling priority than the rest of the process.
///
/// A burst to 100,000 subscribers takes a core or more for tens of seconds: writing each mail, encoding
/// each webhook, their connections. Run on Swift's shared cooperative pool (as many threads as cores)
/// it held the requests' own continuations behind whole batches being written, and a small write's p99
/// went from 8 ms to about 50 ms for as long as the burst lasted (BENCHMARKS.md, "Deliveries on threads
/// of their own"). Here the deliverer's actor, its send tasks and its connections' event loops are
/// threads of their own, niced like password hashing (`PasswordHasher`): when the requests want the
/// cores they get them first, and when they do not the burst uses every core. Nice 10 rather than
/// SCHED_IDLE: a crowd reading the page at full CPU slows the burst down to about a tenth, it does not
/// stop it.
package final class DeliveryThreads: Sendable {
    /// One per core: lower-priority threads with nothing to send cost nothing.
    package static let shared = DeliveryThreads(count: ProcessInfo.processInfo.activeProcessorCount)

    /// The event loops; the outbound client's connections live on them too.
    package let loops: MultiThreadedEventLoopGroup
    /// Where the deliverer's actor runs (one loop, so one thread at a time, as an actor must).
    let actorLoop: any EventLoop
    /// Where its send tasks run, spread over every loop.
    let tasks: EventLoopTaskExecutor

    package init(count: Int) {
        loops = MultiThreadedEventLoopGroup(numberOfThreads: max(1, count))
        for loop in loops.makeIterator() { loop.execute { cplatform_lower_thread_priority(10) } }
        actorLoop = loops.next()
        tasks = EventLoopTaskExecutor(loops)
    }
}

/// Runs tasks' jobs on an event loop group, the next loop each time: a task that prefers this executor
/// (`addTask(executorPreference:)`) and its children run on these threads and not on the cooperative
/// pool.
final class EventLoopTaskExecutor: TaskExecutor {
    private let loops: MultiThreadedEventLoopGroup

    init(_ loops: MultiThreadedEventLoopGroup) { self.loops = loops }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loops.next().execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
