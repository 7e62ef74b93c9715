// MonotonicClock.swift: wall-clock time that only moves forward (CLOCK_MONOTONIC), for measuring durations.
import Foundation

/// Wall-clock time that only moves forward (CLOCK_MONOTONIC), for measuring durations:
/// the trainer's samples per second, the bench's medians, the MPI all-reduce time.
public enum MonotonicClock {
    /// Seconds since an arbitrary, fixed origin.
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
