// Level2ThreadingTests.swift: BLAS gemv and ger on one and on two OpenBLAS threads, where the two-thread call runs as a gemm, against the reference.
import Linalg
import Testing
import TestSupport

/// With more than one OpenBLAS thread, a `gemv` or `ger` of 8,193 to 262,144 entries runs as the
/// equivalent `gemm` (``BLAS``'s `level2RunsBetterAsGemm`); outside that range, or on one thread,
/// as OpenBLAS's own routine. Both ways must agree with the reference, for both transposes and both
/// precisions, at sizes on each side of the range's ends. Serialized: the thread count is global.
@Suite(.serialized) struct Level2ThreadingTests {
    /// (rows, columns): 128 × 64 = 8,192 (below the range), 129 × 64, 784 × 128, 512 × 512 = 262,144
    /// (its last size), 513 × 512 (above).
    static let shapes = [(128, 64), (129, 64), (784, 128), (512, 512), (513, 512)]

    @Test(arguments: [1, 2])
    func gemvAgreesWithTheReference(threads: Int) {
        Self.onThreads(threads) { rows, columns, rng in
            BackendAgreementTests.checkGemvBothWays(rows: rows, columns: columns, seed: rng.next(), ", \(threads) thread(s)")
            // float32, with β = 0 overwriting a y of NaN.
            let a = Matrix<Float>.randomUniform(rows: rows, columns: columns, using: &rng)
            for trans in [Transpose.none, .transpose] {
                let (outCount, inCount) = trans == .none ? (rows, columns) : (columns, rows)
                let x = Matrix<Float>.randomUniform(rows: 1, columns: inCount, using: &rng).elements
                var viaBLAS = [Float](repeating: .nan, count: outCount), viaReference = viaBLAS
                BLAS<Float>.gemv(trans, alpha: 1, a, x, beta: 0, into: &viaBLAS)
                Reference<Float>.gemv(trans, alpha: 1, a, x, beta: 0, into: &viaReference)
                let mismatch = Approximate.firstMismatch(viaBLAS, viaReference, Tolerance(absolute: 1e-5 * Double(inCount), relative: 1e-5))
                #expect(mismatch == nil, "float32 gemv \(rows)×\(columns) \(trans), \(threads) thread(s): \(mismatch ?? "")")
            }
        }
    }

    @Test(arguments: [1, 2])
    func gerAgreesWithTheReference(threads: Int) {
        Self.onThreads(threads) { rows, columns, rng in
            let x = Matrix<Double>.randomUniform(rows: 1, columns: rows, using: &rng).elements
            let y = Matrix<Double>.randomUniform(rows: 1, columns: columns, using: &rng).elements
            let a0 = Matrix<Double>.randomUniform(rows: rows, columns: columns, using: &rng)
            var viaBLAS = a0, viaReference = a0
            BLAS<Double>.ger(alpha: 1.7, x, y, into: &viaBLAS)
            Reference<Double>.ger(alpha: 1.7, x, y, into: &viaReference)
            let mismatch = Approximate.firstMismatch(viaBLAS, viaReference, Approximate.backends(sumLength: 1))
            #expect(mismatch == nil, "ger \(rows)×\(columns), \(threads) thread(s): \(mismatch ?? "")")
            var viaBLAS32 = a0.converted(to: Float.self), viaReference32 = viaBLAS32
            BLAS<Float>.ger(alpha: 1.7, x.map { Float($0) }, y.map { Float($0) }, into: &viaBLAS32)
            Reference<Float>.ger(alpha: 1.7, x.map { Float($0) }, y.map { Float($0) }, into: &viaReference32)
            let mismatch32 = Approximate.firstMismatch(viaBLAS32, viaReference32, Tolerance(absolute: 1e-6, relative: 1e-6))
            #expect(mismatch32 == nil, "float32 ger \(rows)×\(columns), \(threads) thread(s): \(mismatch32 ?? "")")
        }
    }

    /// `body(rows, columns, rng)` for each of ``shapes`` with OpenBLAS on `threads` threads (restored after).
    static func onThreads(_ threads: Int, _ body: (Int, Int, inout SeededGenerator) -> Void) {
        let before = BLASThreads.count
        BLASThreads.set(threads)
        defer { BLASThreads.set(before) }
        for (rows, columns) in shapes {
            var rng = SeededGenerator(seed: UInt64(rows * 31 + columns))
            body(rows, columns, &rng)
        }
    }
}
