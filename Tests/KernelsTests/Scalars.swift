// Scalars.swift: test data and references shared by the kernel suites.
import Foundation
import Kernels

/// Test data and references shared by the kernel suites: the kernels in `Float` and `Double`
/// against plain scalar loops computed in `Double` (so the Float kernels are checked against a
/// more precise answer).
enum Scalars {
    /// Lengths around every vector width and unroll factor (2…16 lanes, ×4 unrolled), and 0.
    static let lengths = [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 257, 1000, 1031]

    /// `count` values uniform in [lo, hi) from a fixed seed.
    static func uniform<T: KernelScalar>(_ count: Int, _ lo: Double, _ hi: Double, seed: UInt64 = 1) -> [T] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17   // xorshift64
            return T(lo + (hi - lo) * Double(state >> 11) / Double(1 << 53))
        }
    }

    /// The result of a kernel that writes one output array of `count` elements.
    static func output<T: KernelScalar>(_ count: Int, _ body: (UnsafeMutableBufferPointer<T>) -> Void) -> [T] {
        var y = [T](repeating: .nan, count: count)
        y.withUnsafeMutableBufferPointer { body($0) }
        return y
    }

    /// |got − want| ≤ ulps·eps(T)·scale, where `scale` is the size of the terms that went into
    /// the value (for a product or quotient, the value itself).
    static func close<T: KernelScalar>(_ got: T, _ want: Double, ulps: Double, scale: Double? = nil) -> Bool {
        if want.isNaN { return got.isNaN }
        if want.isInfinite { return Double(got) == want }
        let s = scale ?? abs(want)
        return abs(Double(got) - want) <= ulps * Double(T.ulpOfOne) * s + Double(T.leastNormalMagnitude)
    }

    static func sigmoid(_ h: Double) -> Double { h >= 0 ? 1 / (1 + exp(-h)) : exp(h) / (1 + exp(h)) }
}
