// BLASThreads.swift: OpenBLAS's own thread pool and build description.
import CBLAS

/// OpenBLAS's own thread pool and build description.
///
/// Set the thread count once, before the first BLAS call of a run: OpenBLAS resizes its pool
/// on a change, and a change while other threads are inside BLAS is unsafe.
public enum BLASThreads {
    /// The number of threads OpenBLAS uses for one call.
    public static var count: Int {
        Int(openblas_get_num_threads())
    }

    /// Sets the number of threads OpenBLAS uses for one call (≥ 1).
    public static func set(_ n: Int) {
        precondition(n >= 1, "BLASThreads.set: thread count \(n) must be at least 1")
        openblas_set_num_threads(blasInt(n))
    }

    /// OpenBLAS's build configuration, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
    public static var configuration: String {
        String(cString: openblas_get_config())
    }

    /// The kernel family OpenBLAS chose for this CPU, e.g. "Haswell" or "SkylakeX".
    public static var coreName: String {
        String(cString: openblas_get_corename())
    }
}
