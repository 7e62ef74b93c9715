// DropoutKernelTests.swift: the dropout kernel against Linalg's SeededGenerator run row by row in Swift.
import Kernels
import Linalg
import Testing

/// The dropout kernel against Linalg's SeededGenerator run row by row in Swift: the same masks bit
/// for bit (the kernel runs xoshiro256** eight rows at a time), for row counts around the lane
/// count and in both precisions.
@Suite struct DropoutKernelTests {
    func check<T: KernelScalar>(_ type: T.Type, rows: Int, columns: Int, rate: Double) {
        let a: [T] = Scalars.uniform(rows * columns, -2, 2, seed: UInt64(rows * 31 + columns))
        let generators = (0..<rows).map { SeededGenerator(seed: UInt64(1000 + $0) &* 0x9E37_79B9_7F4A_7C15) }
        var states = [UInt64](repeating: 0, count: 4 * rows)
        for r in 0..<rows { (states[4 * r], states[4 * r + 1], states[4 * r + 2], states[4 * r + 3]) = generators[r].stateWords }
        let keep = T(1 / (1 - rate))
        var mask = [T](repeating: .nan, count: a.count), dropped = [T](repeating: .nan, count: a.count)
        states.withUnsafeMutableBufferPointer { s in a.withUnsafeBufferPointer { a in mask.withUnsafeMutableBufferPointer { m in
            dropped.withUnsafeMutableBufferPointer { Kernel.dropout(states: s, a, columns: columns, rate: rate, keep: keep, mask: m, dropped: $0) }
        } } }
        var kept = 0
        for r in 0..<rows {
            var rng = generators[r]
            for j in 0..<columns {
                let i = r * columns + j
                let want: T = rng.nextUniform() < rate ? 0 : keep
                #expect(mask[i] == want && dropped[i] == a[i] * want, "row \(r) column \(j) of \(rows)×\(columns) in \(T.self)")
                if want != 0 { kept += 1 }
            }
            // The kernel leaves each generator where the row's draws end.
            let after = rng.stateWords
            #expect(states[4 * r] == after.0 && states[4 * r + 1] == after.1 && states[4 * r + 2] == after.2 && states[4 * r + 3] == after.3,
                    "row \(r)'s generator state after the draws")
        }
        if rows * columns >= 1000 {  // About 1 − rate kept (a binomial count: 6σ for the bound).
            let n = Double(rows * columns), expected = n * (1 - rate), sigma = (n * rate * (1 - rate)).squareRoot()
            #expect(abs(Double(kept) - expected) <= 6 * sigma)
        }
    }

    @Test func sameMasksAsTheSwiftGenerator() {
        for rows in [1, 3, 7, 8, 9, 16, 17, 64] {
            for columns in [1, 5, 16, 33] {
                check(Double.self, rows: rows, columns: columns, rate: 0.3)
                check(Float.self, rows: rows, columns: columns, rate: 0.5)
            }
        }
        check(Double.self, rows: 128, columns: 256, rate: 0.3)
    }
}
