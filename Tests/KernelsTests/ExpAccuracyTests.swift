// ExpAccuracyTests.swift: the kernels' exp against libm over its whole range, and at the edges.
import Foundation
import Kernels
import Testing

/// The kernels' exp against libm over its whole range, and at the edges: overflow, gradual
/// underflow, ±∞, NaN. libm's exp (glibc) is within 1 ulp of the exact value, and for Float the
/// reference is Double's exp rounded once, which is the correctly rounded Float in all but
/// astronomically rare cases; so a kernel within 1 ulp of the exact value is within 2 ulps of
/// the reference here, and the tests ask for that.
@Suite struct ExpAccuracyTests {
    /// Distance in units in the last place between two finite values of one sign.
    static func ulps<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> Int where T.RawSignificand: FixedWidthInteger {
        if a == b { return 0 }
        guard a.sign == b.sign, a.isFinite, b.isFinite else { return .max }
        let ia = Int(a.exponentBitPattern) << T.significandBitCount | Int(a.significandBitPattern)
        let ib = Int(b.exponentBitPattern) << T.significandBitCount | Int(b.significandBitPattern)
        return abs(ia - ib)
    }

    static func kernelExp<T: KernelScalar>(_ x: [T]) -> [T] {
        var y = [T](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { Kernel.exp(x, into: $0) } }
        return y
    }

    /// `count` points spread evenly over [lo, hi], plus a jitter so they do not fall on a lattice.
    static func sweep(_ lo: Double, _ hi: Double, count: Int) -> [Double] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { i in lo + (hi - lo) * (Double(i) + Double.random(in: 0..<1, using: &rng)) / Double(count) }
    }

    @Test func doubleWithinTwoUlpsOfLibmOverTheNormalRange() {
        // Normal results: x from log(2^-1022) ≈ −708.39 to log(max) ≈ 709.78, and densely near 0.
        let x = Self.sweep(-708.3, 709.7, count: 1_000_000) + Self.sweep(-1, 1, count: 200_000)
        let y = Self.kernelExp(x)
        var worst = (ulps: 0, x: 0.0)
        for i in x.indices {
            let d = Self.ulps(y[i], Foundation.exp(x[i]))
            if d > worst.ulps { worst = (d, x[i]) }
        }
        #expect(worst.ulps <= 2, "exp(\(worst.x)): \(worst.ulps) ulps from libm")
    }

    @Test func floatWithinTwoUlpsOfTheRoundedDoubleOverTheNormalRange() {
        // Normal Float results: x from log(2^-126) ≈ −87.33 to log(Float max) ≈ 88.72.
        let x = Self.sweep(-87.3, 88.7, count: 1_000_000).map { Float($0) } + Self.sweep(-1, 1, count: 200_000).map { Float($0) }
        let y = Self.kernelExp(x)
        var worst = (ulps: 0, x: Float(0))
        for i in x.indices {
            let d = Self.ulps(y[i], Float(Foundation.exp(Double(x[i]))))
            if d > worst.ulps { worst = (d, x[i]) }
        }
        #expect(worst.ulps <= 2, "exp(\(worst.x)): \(worst.ulps) ulps from libm")
    }

    @Test func subnormalResultsWithinOneSubnormalStep() {
        let xd = Self.sweep(-745.1, -708.4, count: 100_000)
        let yd = Self.kernelExp(xd)
        for i in xd.indices {
            let reference = Foundation.exp(xd[i])
            #expect(abs(yd[i] - reference) <= Double.leastNonzeroMagnitude, "exp(\(xd[i])) = \(yd[i]), libm \(reference)")
        }
        let xf = Self.sweep(-103.2, -87.4, count: 100_000).map { Float($0) }
        let yf = Self.kernelExp(xf)
        for i in xf.indices {
            let reference = Float(Foundation.exp(Double(xf[i])))
            #expect(abs(yf[i] - reference) <= Float.leastNonzeroMagnitude, "exp(\(xf[i])) = \(yf[i]), reference \(reference)")
        }
    }

    @Test func edgesOfTheRange() {
        let xd: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1e-300, -1e-300, 709.78, 709.79, 710, 1e308,
                            -745.13, -745.14, -746, -1e308, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1]
        let yd = Self.kernelExp(xd)
        #expect(yd[0].isNaN)
        #expect(yd[1] == .infinity && yd[2] == 0)
        #expect(yd[3] == 1 && yd[4] == 1 && yd[5] == 1 && yd[6] == 1)
        #expect(yd[7].isFinite && Self.ulps(yd[7], Foundation.exp(709.78)) <= 2)
        #expect(yd[8] == .infinity && yd[9] == .infinity && yd[10] == .infinity && yd[15] == .infinity)
        #expect(yd[11] == Foundation.exp(-745.13) && yd[11] > 0)   // the smallest subnormal, 2^-1074
        #expect(yd[12] == 0 && yd[13] == 0 && yd[14] == 0 && yd[16] == 0)
        #expect(Self.ulps(yd[17], M_E) <= 1)

        let xf: [Float] = [.nan, .infinity, -.infinity, 0, 88.72, 88.73, 89, 1e38, -103.27, -103.98, -104, -1e38, 1]
        let yf = Self.kernelExp(xf)
        #expect(yf[0].isNaN)
        #expect(yf[1] == .infinity && yf[2] == 0 && yf[3] == 1)
        #expect(yf[4].isFinite && Self.ulps(yf[4], Float(Foundation.exp(Double(Float(88.72))))) <= 2)
        #expect(yf[5] == .infinity && yf[6] == .infinity && yf[7] == .infinity)
        #expect(yf[8] > 0 && yf[9] == 0 && yf[10] == 0 && yf[11] == 0)
        #expect(Self.ulps(yf[12], Float(M_E)) <= 1)
    }

    @Test func quietAndSignallingNaNsStayNaN() {
        let nans: [Double] = [.nan, -.nan, .signalingNaN, Double(bitPattern: 0x7FF0_0000_0000_0001), Double(bitPattern: 0xFFF8_0000_DEAD_BEEF)]
        #expect(Self.kernelExp(nans).allSatisfy { $0.isNaN })
        let fnans: [Float] = [.nan, -.nan, .signalingNaN, Float(bitPattern: 0x7F80_0001)]
        #expect(Self.kernelExp(fnans).allSatisfy { $0.isNaN })
    }
}
