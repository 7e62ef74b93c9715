// Timing.swift: wall-clock timing.
import Backprop
import Foundation

/// Wall-clock timing: the median of repeated runs after a warm-up, so one noisy run on a
/// shared machine does not move the figure. `bench/cblas_bench.c` times its calls the same way.
enum Timing {
    /// The median time of one call of `body`, in seconds. Calls are batched so each timed sample
    /// lasts at least `minimumSample` seconds; `samples` samples are taken, fewer (but at least 3)
    /// when `budget` seconds run out first.
    static func median(warmUp: Int = 2, samples: Int = 7, minimumSample: Double = 0.002, budget: Double = 2,
                       _ body: () -> Void) -> Double {
        for _ in 0..<warmUp { body() }
        var repeats = 1
        while true {  // Find a batch size whose run lasts long enough to time.
            let start = MonotonicClock.seconds()
            for _ in 0..<repeats { body() }
            let elapsed = MonotonicClock.seconds() - start
            if elapsed >= minimumSample || repeats >= 1 << 20 { break }
            repeats *= 2
        }
        var times: [Double] = []
        let deadline = MonotonicClock.seconds() + budget
        while times.count < samples && (times.count < 3 || MonotonicClock.seconds() < deadline) {
            let start = MonotonicClock.seconds()
            for _ in 0..<repeats { body() }
            times.append((MonotonicClock.seconds() - start) / Double(repeats))
        }
        return median(times)
    }

    /// The median times of one call of `a` and of `b`, in seconds, their samples taken in turn
    /// (a, b, a, b, …) so that both see the same load; each batched as in ``median(warmUp:samples:minimumSample:budget:_:)``.
    /// `samples` pairs are taken, fewer (but at least 3) when `budget` seconds run out first.
    static func alternatingMedians(warmUp: Int = 2, samples: Int = 15, minimumSample: Double = 0.002, budget: Double = 2,
                                   _ a: () -> Void, _ b: () -> Void) -> (a: Double, b: Double) {
        func repeats(_ body: () -> Void) -> Int {
            for _ in 0..<warmUp { body() }
            var repeats = 1
            while true {
                let start = MonotonicClock.seconds()
                for _ in 0..<repeats { body() }
                if MonotonicClock.seconds() - start >= minimumSample || repeats >= 1 << 20 { return repeats }
                repeats *= 2
            }
        }
        func sample(_ body: () -> Void, _ repeats: Int) -> Double {
            let start = MonotonicClock.seconds()
            for _ in 0..<repeats { body() }
            return (MonotonicClock.seconds() - start) / Double(repeats)
        }
        let repeatsA = repeats(a), repeatsB = repeats(b)
        var timesA: [Double] = [], timesB: [Double] = []
        let deadline = MonotonicClock.seconds() + budget
        while timesA.count < samples && (timesA.count < 3 || MonotonicClock.seconds() < deadline) {
            timesA.append(sample(a, repeatsA))
            timesB.append(sample(b, repeatsB))
        }
        return (median(timesA), median(timesB))
    }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        precondition(!values.isEmpty, "median of no values")
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// A duration for the table: ns, µs, ms or s with three significant digits.
func formatSeconds(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "—" }
    if seconds < 1e-6 { return String(format: "%.0f ns", seconds * 1e9) }
    if seconds < 1e-3 { return String(format: "%.3g µs", seconds * 1e6) }
    if seconds < 1 { return String(format: "%.3g ms", seconds * 1e3) }
    return String(format: "%.3g s", seconds)
}

/// A rate with thousands as "k" and millions as "M": 45.3k, 1.20M.
func formatRate(_ rate: Double) -> String {
    guard rate.isFinite else { return "—" }
    if rate >= 1e6 { return String(format: "%.2fM", rate / 1e6) }
    if rate >= 1e3 { return String(format: "%.1fk", rate / 1e3) }
    return String(format: "%.3g", rate)
}
