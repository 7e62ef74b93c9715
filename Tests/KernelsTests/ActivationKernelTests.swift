// ActivationKernelTests.swift: the activation kernels and their derivatives against scalar Double loops, at every vector width's tail.
import Foundation
import Kernels
import Testing

/// The activation kernels and their derivatives against scalar loops in Double, in both
/// precisions and at lengths around every vector width (the tails), with the edge values
/// (±∞, NaN, ±0, huge) placed in the middle and at the end.
@Suite struct ActivationKernelTests {
    static let edges: [Double] = [0, -0.0, 1e-300, -1e-30, 1e-8, -1e-8, 0.25, -0.5, 0.5, 0.51, 20, -20, 40, -40,
                                  700, -700, 1e300, -1e300, .infinity, -.infinity, .nan]

    static func inputs<T: KernelScalar>(_ n: Int, _ type: T.Type) -> [T] {
        var x: [T] = Scalars.uniform(n, -12, 12)
        for (k, e) in edges.enumerated() where n > 0 { x[(k * 37) % n] = T(e) }
        return x
    }

    func check<T: KernelScalar>(_ type: T.Type, ulps: Double, _ name: String,
                                kernel: (UnsafeBufferPointer<T>, UnsafeMutableBufferPointer<T>) -> Void,
                                reference: (Double) -> Double) {
        for n in Scalars.lengths {
            let x = Self.inputs(n, type)
            let y: [T] = Scalars.output(n) { out in x.withUnsafeBufferPointer { kernel($0, out) } }
            for i in 0..<n {
                let want = reference(Double(x[i]))
                #expect(Scalars.close(y[i], want, ulps: ulps), "\(name)(\(x[i])) in \(T.self) at n = \(n): \(y[i]), want \(want)")
            }
        }
    }

    @Test func sigmoid() {
        // Built from exp (≤ 1 ulp), one addition and one quotient (h ≥ 0) or a further product (h < 0).
        check(Double.self, ulps: 4, "sigmoid", kernel: { Kernel.sigmoid($0, into: $1) }, reference: Scalars.sigmoid)
        check(Float.self, ulps: 4, "sigmoid", kernel: { Kernel.sigmoid($0, into: $1) }, reference: Scalars.sigmoid)
    }

    @Test func sigmoidIsFiniteAndBoundedEverywhere() {
        let x: [Double] = [-1e308, -746, -40, 40, 746, 1e308]
        let y: [Double] = Scalars.output(x.count) { out in x.withUnsafeBufferPointer { Kernel.sigmoid($0, into: out) } }
        #expect(y.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
    }

    @Test func tanh() {
        // From e^y − 1 (Taylor near 0, exp beyond: cancellation ≤ 1.6 bits) and one quotient.
        check(Double.self, ulps: 6, "tanh", kernel: { Kernel.tanh($0, into: $1) }, reference: Foundation.tanh)
        check(Float.self, ulps: 6, "tanh", kernel: { Kernel.tanh($0, into: $1) }, reference: Foundation.tanh)
    }

    @Test func tanhKeepsTheSignOfZeroAndSaturates() {
        let x: [Double] = [0, -0.0, 1e-310, 30, -30, .infinity, -.infinity]
        let y: [Double] = Scalars.output(x.count) { out in x.withUnsafeBufferPointer { Kernel.tanh($0, into: out) } }
        #expect(y[0] == 0 && y[0].sign == .plus && y[1] == 0 && y[1].sign == .minus)
        #expect(y[2] == 1e-310)
        #expect(y[3] == 1 && y[4] == -1 && y[5] == 1 && y[6] == -1)
    }

    @Test func relu() {
        check(Double.self, ulps: 0, "relu", kernel: { Kernel.relu($0, into: $1) }, reference: { $0 > 0 ? $0 : 0 })
        check(Float.self, ulps: 0, "relu", kernel: { Kernel.relu($0, into: $1) }, reference: { $0 > 0 ? $0 : 0 })
    }

    @Test func exactlyOneFiniteUlpAwayIsNotClose() {
        // The comparison the suites rely on can fail: a value 2·eps off at ulps 1 is rejected.
        #expect(!Scalars.close(Double(1 + 2 * Double.ulpOfOne), 1.0, ulps: 1))
        #expect(!Scalars.close(Float(1) + 2 * Float.ulpOfOne, 1.0, ulps: 1))
    }

    /// d ⊙ f′ from a, over random d, a (or h) with the edge values among them.
    func checkDerivative<T: KernelScalar>(_ type: T.Type, _ name: String,
                                          kernel: (UnsafeMutableBufferPointer<T>, UnsafeBufferPointer<T>) -> Void,
                                          reference: (Double, Double) -> Double) {
        for n in Scalars.lengths {
            let d0: [T] = Scalars.uniform(n, -3, 3, seed: 7)
            let a = Self.inputs(n, type)
            var d = d0
            d.withUnsafeMutableBufferPointer { d in a.withUnsafeBufferPointer { kernel(d, $0) } }
            for i in 0..<n {
                let want = reference(Double(d0[i]), Double(a[i]))
                // Two roundings (three with a contracted 1 − a²), relative to the product's factors.
                let scale = abs(Double(d0[i])) * max(1, Double(a[i]) * Double(a[i]))
                #expect(Scalars.close(d[i], want, ulps: 3, scale: scale), "\(name) in \(T.self) at n = \(n), d = \(d0[i]), a = \(a[i]): \(d[i]), want \(want)")
            }
        }
    }

    @Test func derivatives() {
        checkDerivative(Double.self, "σ′", kernel: { Kernel.multiplySigmoidDerivative(inPlace: $0, outputs: $1) }, reference: { $0 * ($1 * (1 - $1)) })
        checkDerivative(Float.self, "σ′", kernel: { Kernel.multiplySigmoidDerivative(inPlace: $0, outputs: $1) }, reference: { $0 * ($1 * (1 - $1)) })
        checkDerivative(Double.self, "tanh′", kernel: { Kernel.multiplyTanhDerivative(inPlace: $0, outputs: $1) }, reference: { $0 * (1 - $1 * $1) })
        checkDerivative(Float.self, "tanh′", kernel: { Kernel.multiplyTanhDerivative(inPlace: $0, outputs: $1) }, reference: { $0 * (1 - $1 * $1) })
        checkDerivative(Double.self, "relu′", kernel: { Kernel.multiplyReluDerivative(inPlace: $0, preActivations: $1) }, reference: { $1 > 0 ? $0 : 0 })
        checkDerivative(Float.self, "relu′", kernel: { Kernel.multiplyReluDerivative(inPlace: $0, preActivations: $1) }, reference: { $1 > 0 ? $0 : 0 })
    }
}
