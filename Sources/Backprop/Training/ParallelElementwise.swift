// ParallelElementwise.swift: one element-wise kernel over a long array split into parts run on the trainer's threads.
import Kernels

/// Splits one element-wise kernel over a long array (a gradient combine, an optimiser update)
/// into contiguous parts run on the trainer's threads, so every core works through the serial
/// tail of a data-parallel step. The trainer hands one to ``Optimizer/update(_:gradients:learningRate:slots:split:)``.
///
/// Arrays shorter than `minimumSplit` run on the calling thread. Part boundaries are multiples
/// of 64 elements, so no two threads write one cache line. Each element gets the same arithmetic
/// whatever the split: results do not depend on the thread count. Allocates nothing after `init`.
public final class ParallelElementwise<Scalar: KernelScalar>: ParallelWork, @unchecked Sendable {  // Used by one trainer at a time.
    /// One kernel call's operands over elements 0..<count, in the precision `T` = `Scalar`; each part takes a subrange.
    @usableFromInline
    enum Job<T: KernelScalar> {
        /// y ← w0·x0 + w1·x1.
        case combine(y: UnsafeMutablePointer<T>, x0: UnsafePointer<T>, w0: T, x1: UnsafePointer<T>, w1: T)
        /// y ← y + w·x.
        case addScaled(y: UnsafeMutablePointer<T>, x: UnsafePointer<T>, w: T)
        case adam(theta: UnsafeMutablePointer<T>, g: UnsafePointer<T>, m: UnsafeMutablePointer<T>,
                  v: UnsafeMutablePointer<T>, beta1: T, beta2: T, stepSize: T,
                  inverseCorrection2: T, epsilon: T)
        case momentum(theta: UnsafeMutablePointer<T>, g: UnsafePointer<T>, v: UnsafeMutablePointer<T>,
                      mu: T, eta: T, nesterov: Bool)
    }

    /// Arrays from this length on are split (below it, a fork costs more than it saves).
    let minimumSplit = 16_384
    private let threads: WorkerThreads?
    /// The current job while the threads run it.
    private var job: Job<Scalar>?
    private var count = 0
    private var parts = 1

    /// Runs on `threads` (nil: everything on the calling thread).
    init(threads: WorkerThreads?) {
        self.threads = threads
    }

    /// A splitter that runs everything on the calling thread.
    public static func serial() -> ParallelElementwise { ParallelElementwise(threads: nil) }

    /// Runs `job` over elements 0..<`count`, split across the threads when the array is long enough.
    @usableFromInline
    func run(_ job: Job<Scalar>, count: Int) {
        let threads = count >= minimumSplit ? self.threads.map(\.count) ?? 1 : 1
        if threads <= 1 {
            Self.execute(job, 0..<count)
            return
        }
        self.job = job
        self.count = count
        parts = threads
        self.threads!.run(parts, self)
        self.job = nil
    }

    /// Part `part` of the current job (on the worker threads).
    func runPart(_ part: Int) {
        let chunk = ((count + parts - 1) / parts + 63) & ~63
        let start = min(count, part * chunk), end = min(count, start + chunk)
        guard start < end else { return }
        if let job { Self.execute(job, start..<end) }
    }

    private static func execute<T: KernelScalar>(_ job: Job<T>, _ r: Range<Int>) {
        let (i, n) = (r.lowerBound, r.count)
        func buffer(_ p: UnsafePointer<T>) -> UnsafeBufferPointer<T> { UnsafeBufferPointer(start: p + i, count: n) }
        func buffer(_ p: UnsafeMutablePointer<T>) -> UnsafeMutableBufferPointer<T> {
            UnsafeMutableBufferPointer(start: p + i, count: n)
        }
        switch job {
        case let .combine(y, x0, w0, x1, w1):
            Kernel.axpby(w0, buffer(x0), w1, buffer(x1), into: buffer(y))
        case let .addScaled(y, x, w):
            Kernel.addScaled(w, buffer(x), inPlace: buffer(y))
        case let .adam(theta, g, m, v, beta1, beta2, stepSize, inverseCorrection2, epsilon):
            Kernel.adam(parameters: buffer(theta), gradients: buffer(g), m: buffer(m), v: buffer(v), beta1: beta1, beta2: beta2,
                        stepSize: stepSize, inverseCorrection2: inverseCorrection2, epsilon: epsilon)
        case let .momentum(theta, g, v, mu, eta, nesterov):
            Kernel.momentum(parameters: buffer(theta), gradients: buffer(g), velocity: buffer(v), momentum: mu,
                            learningRate: eta, nesterov: nesterov)
        }
    }
}
