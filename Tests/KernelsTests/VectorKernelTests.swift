// VectorKernelTests.swift: the vector kernels (combine, masks, sums; a sum with NaN or ±∞ is not finite) against scalar loops.
import Foundation
import Kernels
import Testing

/// The vector kernels (combine, masks, sums; a sum with NaN or ±∞ is not finite) against scalar loops.
@Suite struct VectorKernelTests {
    func checkAxpbyAndMultiply<T: KernelScalar>(_ type: T.Type) {
        for n in Scalars.lengths {
            let x0: [T] = Scalars.uniform(n, -5, 5, seed: 11), x1: [T] = Scalars.uniform(n, -5, 5, seed: 12)
            let (a, b) = (T(0.375), T(-1.625))
            let y: [T] = Scalars.output(n) { out in x0.withUnsafeBufferPointer { x0 in x1.withUnsafeBufferPointer { Kernel.axpby(a, x0, b, $0, into: out) } } }
            var z = x0
            z.withUnsafeMutableBufferPointer { z in x1.withUnsafeBufferPointer { Kernel.addScaled(b, $0, inPlace: z) } }
            let m: [T] = Scalars.output(n) { out in x0.withUnsafeBufferPointer { x0 in x1.withUnsafeBufferPointer { Kernel.multiply(x0, $0, into: out) } } }
            var mInPlace = x0
            mInPlace.withUnsafeMutableBufferPointer { y in x1.withUnsafeBufferPointer { Kernel.multiply(inPlace: y, by: $0) } }
            for i in 0..<n {
                let (p, q) = (Double(a) * Double(x0[i]), Double(b) * Double(x1[i]))
                // Two products and a sum (or one fused step): within 2 ulps of the terms' size.
                #expect(Scalars.close(y[i], p + q, ulps: 2, scale: abs(p) + abs(q)), "axpby at \(i) of \(n) in \(T.self)")
                #expect(Scalars.close(z[i], Double(x0[i]) + q, ulps: 2, scale: abs(Double(x0[i])) + abs(q)), "addScaled at \(i) of \(n) in \(T.self)")
                #expect(m[i] == x0[i] * x1[i] && mInPlace[i] == m[i], "x ⊙ m at \(i) of \(n) in \(T.self)")
            }
        }
    }

    @Test func axpbyAndMultiply() {
        checkAxpbyAndMultiply(Double.self)
        checkAxpbyAndMultiply(Float.self)
    }

    func checkSum<T: KernelScalar>(_ type: T.Type) {
        for n in Scalars.lengths {
            let x: [T] = Scalars.uniform(n, -1, 1, seed: 13)
            let want = x.reduce(0.0) { $0 + Double($1) }, scale = x.reduce(0.0) { $0 + abs(Double($1)) }
            let got = x.withUnsafeBufferPointer(Kernel.sum)
            #expect(abs(got - want) <= Double(n) * Double.ulpOfOne * scale, "Σx at n = \(n) in \(T.self): \(got), want \(want)")
        }
        let huge = [T](repeating: T.greatestFiniteMagnitude, count: 40)
        if T.self == Double.self { #expect(!huge.withUnsafeBufferPointer(Kernel.sum).isFinite, "a sum that overflows is not finite") }
    }

    @Test func sum() {
        checkSum(Double.self)
        checkSum(Float.self)
    }

    func checkFiniteness<T: KernelScalar>(_ type: T.Type, nonFinite: [T]) {
        for n in Scalars.lengths where n > 0 {
            // Finite extremes everywhere: largest, smallest normal and subnormal, −0.
            var x: [T] = Scalars.uniform(n, -1e3, 1e3, seed: 14)
            let extremes: [T] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNormalMagnitude, .leastNonzeroMagnitude, -0.0]
            for (k, e) in extremes.enumerated() { x[(k * 7) % n] = e }
            #expect(!x.withUnsafeBufferPointer(Kernel.sum).isNaN)
            // One NaN or infinity at the start, in the middle, or in the tail.
            for bad in nonFinite {
                for position in Set([0, n / 2, n - 1]) {
                    var y = x
                    y[position] = bad
                    #expect(!y.withUnsafeBufferPointer(Kernel.sum).isFinite, "Σ with \(bad) at \(position) of \(n) in \(T.self)")
                }
            }
        }
    }

    @Test func finiteness() {
        checkFiniteness(Double.self, nonFinite: [.nan, -.nan, .signalingNaN, .infinity, -.infinity, Double(bitPattern: 0x7FF0_0000_0000_0001)])
        checkFiniteness(Float.self, nonFinite: [.nan, -.nan, .signalingNaN, .infinity, -.infinity, Float(bitPattern: 0xFF80_0001)])
    }

    @Test func theInstructionSetIsTheWidestThisProcessorHas() throws {
        let isa = Kernel.instructionSet
        // A ThreadSanitizer build has no clones to choose from (the sanitizer cannot run their resolvers).
        if isa == "baseline (a ThreadSanitizer build: one version)" { return }
        #expect(["avx512", "avx2+fma", "baseline"].contains(isa))
        #if arch(x86_64) && os(Linux)
        // x86-64-v4's AVX-512 subsets and v3's AVX2 + FMA, read independently from the kernel's CPU flags.
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flagsLine = try #require(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let v4 = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        let v3 = ["avx2", "fma", "bmi1", "bmi2", "f16c", "movbe"].allSatisfy(flags.contains)
        #expect(isa == (v4 && v3 ? "avx512" : v3 ? "avx2+fma" : "baseline"), "flags: v4 \(v4), v3 \(v3)")
        #endif
    }
}
