import Foundation

/// Wall-clock timing: the median of repeated runs after a warm-up, so one noisy run on a
/// shared machine does not move the figure.
enum Timing {
    /// Seconds since an arbitrary origin, monotonic.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// The median time of one call of `body`, in seconds. Calls are batched so each timed sample
    /// lasts at least `minimumSample` seconds; at most `budget` seconds are spent in all.
    static func median(warmUp: Int = 2, samples: Int = 7, minimumSample: Double = 0.002, budget: Double = 2,
                       _ body: () -> Void) -> Double {
        for _ in 0..<warmUp { body() }
        var repeats = 1
        while true {  // Find a batch size whose run lasts long enough to time.
            let start = now()
            for _ in 0..<repeats { body() }
            let elapsed = now() - start
            if elapsed >= minimumSample || repeats >= 1 << 20 { break }
            repeats *= 2
        }
        var times: [Double] = []
        let deadline = now() + budget
        while times.count < samples && (times.count < 3 || now() < deadline) {
            let start = now()
            for _ in 0..<repeats { body() }
            times.append((now() - start) / Double(repeats))
        }
        times.sort()
        return times[times.count / 2]
    }
}
