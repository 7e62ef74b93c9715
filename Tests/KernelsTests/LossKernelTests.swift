// LossKernelTests.swift: softmax, the losses and the output error terms against scalar Double loops.
import Foundation
import Kernels
import Testing

/// Softmax, the losses and the output error terms against scalar Double loops.
@Suite struct LossKernelTests {
    static let shapes = [(1, 1), (1, 10), (3, 7), (128, 10), (5, 17), (2, 33), (4, 100)]

    static func softmaxRow(_ h: ArraySlice<Double>) -> [Double] {
        let m = h.max()!
        let e = h.map { exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    func checkSoftmax<T: KernelScalar>(_ type: T.Type) {
        for (rows, columns) in Self.shapes {
            var h: [T] = Scalars.uniform(rows * columns, -30, 30, seed: UInt64(rows * 100 + columns))
            if rows * columns > 3 { h[1] = 1000; h[2] = 999 }   // a row whose e^h would overflow unshifted
            let a: [T] = Scalars.output(h.count) { out in h.withUnsafeBufferPointer { Kernel.softmaxRows($0, columns: columns, into: out) } }
            for r in 0..<rows {
                let want = Self.softmaxRow(h[(r * columns)..<((r + 1) * columns)].map(Double.init)[...])
                var total = 0.0
                let m = h[(r * columns)..<((r + 1) * columns)].map(Double.init).max()!
                for j in 0..<columns {
                    let got = a[r * columns + j]
                    total += Double(got)
                    // exp (≤ 1 ulp) of h − max (one rounding: ½ulp of |h − max| in the exponent), a sum of
                    // `columns` terms, one quotient.
                    let ulps = Double(4 + columns) + abs(Double(h[r * columns + j]) - m)
                    #expect(Scalars.close(got, want[j], ulps: ulps), "softmax \(rows)×\(columns) in \(T.self) [\(r), \(j)]: \(got), want \(want[j])")
                }
                #expect(abs(total - 1) <= Double(2 * columns + 4) * Double(T.ulpOfOne), "row \(r) sums to \(total)")
            }
        }
    }

    @Test func softmaxRows() {
        checkSoftmax(Double.self)
        checkSoftmax(Float.self)
    }

    @Test func softmaxOfMinusInfinityIsZero() {
        let h: [Double] = [0, -.infinity, 1]
        let a: [Double] = Scalars.output(3) { out in h.withUnsafeBufferPointer { Kernel.softmaxRows($0, columns: 3, into: out) } }
        #expect(a[1] == 0 && abs(a[0] + a[2] - 1) < 1e-15)
    }

    func checkCrossEntropy<T: KernelScalar>(_ type: T.Type) {
        for (rows, columns) in Self.shapes {
            let h: [T] = Scalars.uniform(rows * columns, -40, 40, seed: UInt64(rows + 7 * columns))
            var t = [T](repeating: 0, count: h.count)
            for r in 0..<rows { t[r * columns + (r * 5) % columns] = 1 }
            if columns > 2 { t[1] = 0.25; t[2] = 0.75 }   // soft targets too
            var want = 0.0, scale = 0.0
            for r in 0..<rows {
                let row = h[(r * columns)..<((r + 1) * columns)].map(Double.init)
                let m = row.max()!
                let lse = m + log(row.map { exp($0 - m) }.reduce(0, +))
                for j in 0..<columns where t[r * columns + j] != 0 {
                    want -= Double(t[r * columns + j]) * (row[j] - lse)
                    scale += abs(Double(t[r * columns + j])) * (abs(row[j]) + abs(lse))
                }
            }
            let got = h.withUnsafeBufferPointer { h in t.withUnsafeBufferPointer { Kernel.crossEntropySum(preActivations: h, targets: $0, columns: columns) } }
            // Computed in Double from the same T inputs: a few Double roundings per term.
            #expect(abs(got - want) <= 8 * Double.ulpOfOne * scale + 1e-300, "cross-entropy \(rows)×\(columns) in \(T.self): \(got), want \(want)")
        }
    }

    @Test func crossEntropySum() {
        checkCrossEntropy(Double.self)
        checkCrossEntropy(Float.self)
    }

    @Test func crossEntropyIgnoresMinusInfinityWhereTheTargetIsZero() {
        let h: [Double] = [2, -.infinity, 0], t: [Double] = [1, 0, 0]
        let got = h.withUnsafeBufferPointer { h in t.withUnsafeBufferPointer { Kernel.crossEntropySum(preActivations: h, targets: $0, columns: 3) } }
        #expect(abs(got - (log(exp(2) + 1) - 2)) < 1e-15)
    }

    func checkSquaredErrorAndSubtract<T: KernelScalar>(_ type: T.Type) {
        for n in Scalars.lengths {
            let y: [T] = Scalars.uniform(n, -2, 2, seed: 3), t: [T] = Scalars.uniform(n, -2, 2, seed: 4)
            var want = 0.0, scale = 0.0
            for i in 0..<n {
                let e = Double(t[i]) - Double(y[i])
                want += 0.5 * e * e
                scale += 0.5 * e * e
            }
            let got = y.withUnsafeBufferPointer { y in t.withUnsafeBufferPointer { Kernel.squaredErrorSum(outputs: y, targets: $0) } }
            #expect(abs(got - want) <= Double(n + 4) * Double.ulpOfOne * scale, "Σ½(t−y)² at n = \(n) in \(T.self): \(got), want \(want)")
            let d: [T] = Scalars.output(n) { out in t.withUnsafeBufferPointer { t in y.withUnsafeBufferPointer { Kernel.subtract(t, minus: $0, into: out) } } }
            for i in 0..<n { #expect(d[i] == t[i] - y[i], "t − y at \(i) of \(n) in \(T.self)") }
        }
    }

    @Test func squaredErrorAndSubtract() {
        checkSquaredErrorAndSubtract(Double.self)
        checkSquaredErrorAndSubtract(Float.self)
    }
}
