import Kernels

/// Splits one element-wise kernel over a long array (a gradient combine, an optimiser update)
/// into contiguous parts run on the trainer's threads, so every core works through the serial
/// tail of a data-parallel step. The trainer hands one to ``Optimizer/update(_:gradients:learningRate:split:)``.
///
/// Arrays shorter than `minimumSplit` run on the calling thread. Part boundaries are multiples
/// of 64 elements, so no two threads write one cache line. Each element gets the same arithmetic
/// whatever the split: results do not depend on the thread count. Allocates nothing after `init`.
public final class ParallelElementwise: ParallelWork, @unchecked Sendable {  // Used by one trainer at a time.
    /// One kernel call's operands over elements 0..<count; each part takes a subrange.
    enum Job {
        /// y ← w0·x0 + w1·x1.
        case combine(y: UnsafeMutablePointer<Double>, x0: UnsafePointer<Double>, w0: Double, x1: UnsafePointer<Double>, w1: Double)
        /// y ← y + w·x.
        case addScaled(y: UnsafeMutablePointer<Double>, x: UnsafePointer<Double>, w: Double)
        case adam(theta: UnsafeMutablePointer<Double>, g: UnsafePointer<Double>, m: UnsafeMutablePointer<Double>,
                  v: UnsafeMutablePointer<Double>, beta1: Double, beta2: Double, stepSize: Double,
                  inverseCorrection2: Double, epsilon: Double)
        case momentum(theta: UnsafeMutablePointer<Double>, g: UnsafePointer<Double>, v: UnsafeMutablePointer<Double>,
                      mu: Double, eta: Double, nesterov: Bool)
    }

    /// Arrays from this length on are split (below it, a fork costs more than it saves).
    let minimumSplit = 16_384
    private let threads: WorkerThreads?
    private var job: Job?
    private var count = 0
    private var parts = 1

    /// Runs on `threads` (nil: everything on the calling thread).
    init(threads: WorkerThreads?) {
        self.threads = threads
    }

    /// A splitter that runs everything on the calling thread.
    public static func serial() -> ParallelElementwise { ParallelElementwise(threads: nil) }

    /// Runs `job` over elements 0..<`count`, split across the threads when the array is long enough.
    func run(_ job: Job, count: Int) {
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
        if start < end { Self.execute(job!, start..<end) }
    }

    private static func execute(_ job: Job, _ r: Range<Int>) {
        let (i, n) = (r.lowerBound, r.count)
        func buffer(_ p: UnsafePointer<Double>) -> UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: p + i, count: n) }
        func buffer(_ p: UnsafeMutablePointer<Double>) -> UnsafeMutableBufferPointer<Double> {
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
