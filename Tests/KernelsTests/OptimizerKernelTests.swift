// OptimizerKernelTests.swift: Adam, momentum and the feature scaling against scalar Double loops, over several steps.
import Foundation
import Kernels
import Testing

/// Adam, momentum and the feature scaling against scalar Double loops, over several steps.
@Suite struct OptimizerKernelTests {
    func checkAdam<T: KernelScalar>(_ type: T.Type) {
        for n in Scalars.lengths {
            var theta: [T] = Scalars.uniform(n, -1, 1, seed: 21)
            var m = [T](repeating: 0, count: n), v = [T](repeating: 0, count: n)
            var (rt, rm, rv) = (theta.map(Double.init), [Double](repeating: 0, count: n), [Double](repeating: 0, count: n))
            // The reference uses the constants as T holds them (Float(0.999) is 0.999 + 1.3e-8), so
            // only the kernel's arithmetic is compared.
            let (b1, b2, eta, eps) = (Double(T(0.9)), Double(T(0.999)), 1e-3, Double(T(1e-8)))
            for step in 1...3 {
                let g: [T] = Scalars.uniform(n, -0.1, 0.1, seed: UInt64(30 + step))
                let stepSize = Double(T(eta / (1 - pow(b1, Double(step))))), ic2 = Double(T(1 / (1 - pow(b2, Double(step)))))
                theta.withUnsafeMutableBufferPointer { theta in g.withUnsafeBufferPointer { g in m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        Kernel.adam(parameters: theta, gradients: g, m: m, v: v, beta1: T(b1), beta2: T(b2),
                                    stepSize: T(stepSize), inverseCorrection2: T(ic2), epsilon: T(eps))
                    } } } }
                for i in 0..<n {
                    rm[i] = b1 * rm[i] + (1 - b1) * Double(g[i])
                    rv[i] = b2 * rv[i] + (1 - b2) * Double(g[i]) * Double(g[i])
                    rt[i] -= stepSize * rm[i] / ((rv[i] * ic2).squareRoot() + eps)
                }
            }
            for i in 0..<n {
                // Each step moves θ by at most ≈ η·(a few); the roundings are of the moments' size relative
                // to themselves and of θ's size in the subtraction: tolerance relative to |θ| + 3η·10.
                #expect(Scalars.close(theta[i], rt[i], ulps: 8, scale: abs(rt[i]) + 3 * eta * 10), "Adam θ[\(i)] of \(n) in \(T.self): \(theta[i]), want \(rt[i])")
                #expect(Scalars.close(m[i], rm[i], ulps: 8, scale: 0.1), "Adam m[\(i)] of \(n) in \(T.self)")
                #expect(Scalars.close(v[i], rv[i], ulps: 8, scale: 0.01 * 0.003), "Adam v[\(i)] of \(n) in \(T.self)")
            }
        }
    }

    @Test func adam() {
        checkAdam(Double.self)
        checkAdam(Float.self)
    }

    func checkMomentum<T: KernelScalar>(_ type: T.Type, nesterov: Bool) {
        for n in Scalars.lengths {
            var theta: [T] = Scalars.uniform(n, -1, 1, seed: 41), velocity = [T](repeating: 0, count: n)
            var (rt, rv) = (theta.map(Double.init), [Double](repeating: 0, count: n))
            let (mu, eta) = (Double(T(0.9)), Double(T(0.05)))
            for step in 1...3 {
                let g: [T] = Scalars.uniform(n, -1, 1, seed: UInt64(50 + step))
                theta.withUnsafeMutableBufferPointer { theta in g.withUnsafeBufferPointer { g in velocity.withUnsafeMutableBufferPointer { v in
                    Kernel.momentum(parameters: theta, gradients: g, velocity: v, momentum: T(mu), learningRate: T(eta), nesterov: nesterov)
                } } }
                for i in 0..<n {
                    rv[i] = mu * rv[i] - eta * Double(g[i])
                    rt[i] += nesterov ? mu * rv[i] - eta * Double(g[i]) : rv[i]
                }
            }
            for i in 0..<n {
                #expect(Scalars.close(theta[i], rt[i], ulps: 12, scale: abs(rt[i]) + 0.5), "momentum θ[\(i)] of \(n) in \(T.self), nesterov \(nesterov)")
                #expect(Scalars.close(velocity[i], rv[i], ulps: 12, scale: 0.2), "momentum v[\(i)] of \(n) in \(T.self)")
            }
        }
    }

    @Test func momentum() {
        for nesterov in [false, true] {
            checkMomentum(Double.self, nesterov: nesterov)
            checkMomentum(Float.self, nesterov: nesterov)
        }
    }

    func checkScale<T: KernelScalar>(_ type: T.Type) {
        for n in Scalars.lengths {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let doubles: [Double] = Scalars.uniform(n, -300, 300, seed: 61)
            let offset: [Double] = Scalars.uniform(n, 0, 255, seed: 62), scale: [Double] = Scalars.uniform(n, 0.001, 2, seed: 63)
            let fromBytes: [T] = Scalars.output(n) { out in bytes.withUnsafeBufferPointer { b in offset.withUnsafeBufferPointer { o in
                scale.withUnsafeBufferPointer { Kernel.scale(bytes: b, offset: o, scale: $0, into: out) } } } }
            let fromDoubles: [T] = Scalars.output(n) { out in doubles.withUnsafeBufferPointer { d in offset.withUnsafeBufferPointer { o in
                scale.withUnsafeBufferPointer { Kernel.scale(doubles: d, offset: o, scale: $0, into: out) } } } }
            for i in 0..<n {
                // One subtraction and one product in Double, rounded once to T: exactly the scalar answer.
                #expect(fromBytes[i] == T((Double(bytes[i]) - offset[i]) * scale[i]), "bytes at \(i) of \(n) in \(T.self)")
                #expect(fromDoubles[i] == T((doubles[i] - offset[i]) * scale[i]), "doubles at \(i) of \(n) in \(T.self)")
            }
        }
    }

    @Test func scaling() {
        checkScale(Double.self)
        checkScale(Float.self)
    }
}
