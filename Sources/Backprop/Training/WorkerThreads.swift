// WorkerThreads.swift: long-lived worker threads that run the parts of a step's work.
import Dispatch
import Foundation

/// Work that splits into parts run on ``WorkerThreads``.
protocol ParallelWork: AnyObject {
    /// Runs part `part`; parts run concurrently, each on one thread.
    func runPart(_ part: Int)
}

/// A fixed set of helper threads for fork-join work: ``run(_:_:)`` runs part 0 on the calling
/// thread and parts 1…`parts − 1` on the helpers, and returns when all are done.
///
/// The trainer forks once per batch. `DispatchQueue.concurrentPerform` allocates on every call
/// (a closure box and a block copy in the Swift overlay), and so does handing a closure to another
/// thread; this hands over an object through semaphores and allocates nothing after `init`.
final class WorkerThreads: @unchecked Sendable {  // The job slot is guarded by the semaphores.
    /// What the calling thread and the helpers share; the helpers hold only this, so the owner can go.
    private final class Shared: @unchecked Sendable {
        var job: (any ParallelWork)?
        var stop = false
        let start: [DispatchSemaphore]
        let done = DispatchSemaphore(value: 0)
        init(helpers: Int) { start = (0..<helpers).map { _ in DispatchSemaphore(value: 0) } }
    }

    private let shared: Shared
    /// Threads in all, the caller's included.
    let count: Int

    /// `count − 1` helper threads, started now (`count` ≥ 1).
    init(count: Int) {
        precondition(count >= 1, "WorkerThreads: \(count) threads")
        self.count = count
        shared = Shared(helpers: count - 1)
        for helper in 0..<(count - 1) {
            let shared = self.shared
            let thread = Thread {
                while true {
                    shared.start[helper].wait()
                    if shared.stop { return }
                    shared.job!.runPart(helper + 1)
                    shared.done.signal()
                }
            }
            thread.name = "backprop-worker-\(helper + 1)"
            thread.start()
        }
    }

    deinit {
        shared.stop = true
        for s in shared.start { s.signal() }
    }

    /// Runs `work.runPart(p)` for p in 0..<`parts` (≤ `count`), part 0 on the calling thread, and
    /// waits for all.
    func run(_ parts: Int, _ work: any ParallelWork) {
        precondition(parts >= 1 && parts <= count, "WorkerThreads.run: \(parts) parts for \(count) threads")
        shared.job = work
        for helper in 0..<(parts - 1) { shared.start[helper].signal() }
        work.runPart(0)
        for _ in 0..<(parts - 1) { shared.done.wait() }
        shared.job = nil
    }
}
