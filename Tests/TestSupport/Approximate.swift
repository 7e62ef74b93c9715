// Approximate.swift: named tolerances for comparing floating-point results, and the first element that disagrees.
import Backprop
import Linalg

/// Named tolerances for comparing floating-point results, and the first element that disagrees.
public enum Approximate {
    /// Two backends computing the same sums in different orders, on values of magnitude about 1:
    /// rounding grows with the length of each sum, so the absolute part scales with it.
    public static func backends(sumLength k: Int) -> Tolerance {
        Tolerance(absolute: 1e-14 * Double(max(k, 1)) * 4, relative: 1e-12)
    }

    /// A LAPACK identity (A·x = b, QᵀQ = I, U·Σ·Vᵀ = A) on well-conditioned matrices of size n.
    public static func identity(size n: Int) -> Tolerance {
        Tolerance(absolute: 1e-12 * Double(max(n, 1)), relative: 1e-11)
    }

    /// The first index where `actual` and `expected` disagree under `tolerance`, described, or nil.
    /// The two may differ in precision (a float32 result against a float64 answer); both are compared in `Double`.
    public static func firstMismatch<A: BinaryFloatingPoint, E: BinaryFloatingPoint>(
        _ actual: [A], _ expected: [E], _ tolerance: Tolerance
    ) -> String? {
        guard actual.count == expected.count else {
            return "lengths differ: \(actual.count) against \(expected.count)"
        }
        for i in expected.indices where !tolerance.accepts(Double(actual[i]), Double(expected[i])) {
            let (a, e) = (Double(actual[i]), Double(expected[i]))
            return "element \(i): \(a) against \(e) (difference \(abs(a - e)))"
        }
        return nil
    }

    /// The same for matrices, which must also agree in shape.
    public static func firstMismatch<A: BLASScalar, E: BLASScalar>(_ actual: Matrix<A>, _ expected: Matrix<E>,
                                                                    _ tolerance: Tolerance) -> String? {
        guard actual.rows == expected.rows && actual.columns == expected.columns else {
            return "shapes differ: \(actual.rows)×\(actual.columns) against \(expected.rows)×\(expected.columns)"
        }
        return firstMismatch(actual.elements, expected.elements, tolerance)
    }

    /// Whether some value is clearly away from zero: guards a comparison against passing on all zeros.
    public static func isNontrivial<T: BinaryFloatingPoint>(_ values: [T], threshold: Double = 1e-12) -> Bool {
        values.contains { abs(Double($0)) > threshold }
    }
}
