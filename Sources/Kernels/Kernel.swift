// Kernel.swift: the element-wise work of a training step at the machine's full SIMD width, in `Float` or `Double`.
import CKernels

/// The element-wise work of a training step at the machine's full SIMD width, in `Float` or
/// `Double`: C kernels compiled for AVX-512, AVX2+FMA and baseline x86-64, one picked at run time
/// (``instructionSet``). Every function checks that its buffers have the lengths it needs (a
/// mismatch is a programming error and stops with a precondition naming the counts), mutates only
/// the buffers named `into`/`inPlace`, and allocates nothing.
///
/// Accuracy: ``exp(_:into:)`` is within 1 ulp of the correctly rounded e^x for normal results in
/// both precisions (`KernelsTests` measures it against libm); sigmoid and tanh are built from it
/// and stay within a few ulps (tanh through e^x − 1, so relatively accurate near 0).
public enum Kernel {
    /// The instruction set the kernels run with here: "avx512", "avx2+fma" or "baseline" (or, in a
    /// ThreadSanitizer build, which compiles only the baseline version, "baseline (…)" saying so).
    public static var instructionSet: String { String(cString: ck_isa()) }

    // The length checks, without an array (a variadic parameter would allocate on every call).
    @usableFromInline @inline(__always) static func check(_ what: StaticString, _ a: Int, _ b: Int) {
        precondition(a == b, "Kernel.\(what): buffer lengths \(a) and \(b) differ")
    }
    @usableFromInline @inline(__always) static func check(_ what: StaticString, _ a: Int, _ b: Int, _ c: Int) {
        precondition(a == b && b == c, "Kernel.\(what): buffer lengths \(a), \(b) and \(c) differ")
    }
    @usableFromInline @inline(__always) static func check(_ what: StaticString, _ a: Int, _ b: Int, _ c: Int, _ d: Int) {
        precondition(a == b && b == c && c == d, "Kernel.\(what): buffer lengths \(a), \(b), \(c) and \(d) differ")
    }

    /// y ← f(x) by `kernel`, after checking the lengths agree (`name` for the message).
    @inlinable static func map<T: KernelScalar>(_ name: StaticString, _ x: UnsafeBufferPointer<T>, into y: UnsafeMutableBufferPointer<T>,
                                                _ kernel: (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void) {
        check(name, x.count, y.count)
        guard let xp = x.baseAddress, let yp = y.baseAddress else { return }
        kernel(xp, yp, x.count)
    }

    /// d ← d ⊙ g(v) by `kernel`, in place, after checking the lengths agree.
    @inlinable static func multiply<T: KernelScalar>(_ name: StaticString, _ d: UnsafeMutableBufferPointer<T>, by v: UnsafeBufferPointer<T>,
                                                     _ kernel: (UnsafeMutablePointer<T>, UnsafePointer<T>, Int) -> Void) {
        check(name, d.count, v.count)
        guard let dp = d.baseAddress, let vp = v.baseAddress else { return }
        kernel(dp, vp, d.count)
    }

    /// y ← e^x.
    @inlinable public static func exp<T: KernelScalar>(_ x: UnsafeBufferPointer<T>, into y: UnsafeMutableBufferPointer<T>) { map("exp", x, into: y, T._exp) }

    /// a ← 1/(1 + e^−h), never forming e^|h|.
    @inlinable public static func sigmoid<T: KernelScalar>(_ h: UnsafeBufferPointer<T>, into a: UnsafeMutableBufferPointer<T>) { map("sigmoid", h, into: a, T._sigmoid) }

    /// a ← tanh h.
    @inlinable public static func tanh<T: KernelScalar>(_ h: UnsafeBufferPointer<T>, into a: UnsafeMutableBufferPointer<T>) { map("tanh", h, into: a, T._tanh) }

    /// a ← max(h, 0) (NaN gives 0).
    @inlinable public static func relu<T: KernelScalar>(_ h: UnsafeBufferPointer<T>, into a: UnsafeMutableBufferPointer<T>) { map("relu", h, into: a, T._relu) }

    /// d ← d ⊙ a(1 − a): sigmoid's derivative from its outputs `a`.
    @inlinable public static func multiplySigmoidDerivative<T: KernelScalar>(inPlace d: UnsafeMutableBufferPointer<T>, outputs a: UnsafeBufferPointer<T>) { multiply("multiplySigmoidDerivative", d, by: a, T._mulSigmoidDerivative) }

    /// d ← d ⊙ (1 − a²): tanh's derivative from its outputs `a`.
    @inlinable public static func multiplyTanhDerivative<T: KernelScalar>(inPlace d: UnsafeMutableBufferPointer<T>, outputs a: UnsafeBufferPointer<T>) { multiply("multiplyTanhDerivative", d, by: a, T._mulTanhDerivative) }

    /// d ← h > 0 ? d : 0: ReLU's derivative (0 at 0) from the pre-activations `h`.
    @inlinable public static func multiplyReluDerivative<T: KernelScalar>(inPlace d: UnsafeMutableBufferPointer<T>, preActivations h: UnsafeBufferPointer<T>) { multiply("multiplyReluDerivative", d, by: h, T._mulReluDerivative) }

    /// Softmax of each row of `columns` values: a ← e^(h − max) / Σ e^(h − max).
    @inlinable public static func softmaxRows<T: KernelScalar>(_ h: UnsafeBufferPointer<T>, columns: Int, into a: UnsafeMutableBufferPointer<T>) {
        check("softmaxRows", h.count, a.count)
        precondition(columns > 0 && h.count % columns == 0, "Kernel.softmaxRows: \(h.count) values are not rows of \(columns)")
        guard let hp = h.baseAddress, let ap = a.baseAddress else { return }
        T._softmaxRows(hp, ap, h.count / columns, columns)
    }

    /// Σ over rows of −Σ_j t_j (h_j − log Σ_k e^h_k) (cross-entropy of softmax(h) against t, from
    /// the pre-activations, so finite when some softmax outputs underflow), summed in `Double`.
    @inlinable public static func crossEntropySum<T: KernelScalar>(preActivations h: UnsafeBufferPointer<T>, targets t: UnsafeBufferPointer<T>,
                                                                   columns: Int) -> Double {
        check("crossEntropySum", h.count, t.count)
        precondition(columns > 0 && h.count % columns == 0, "Kernel.crossEntropySum: \(h.count) values are not rows of \(columns)")
        guard let hp = h.baseAddress, let tp = t.baseAddress else { return 0 }
        return T._crossEntropySum(hp, tp, h.count / columns, columns)
    }

    /// Σ ½(t − y)², summed in `Double`.
    @inlinable public static func squaredErrorSum<T: KernelScalar>(outputs y: UnsafeBufferPointer<T>, targets t: UnsafeBufferPointer<T>) -> Double {
        check("squaredErrorSum", y.count, t.count)
        guard let yp = y.baseAddress, let tp = t.baseAddress else { return 0 }
        return T._squaredErrorSum(yp, tp, y.count)
    }

    /// d ← t − y.
    @inlinable public static func subtract<T: KernelScalar>(_ t: UnsafeBufferPointer<T>, minus y: UnsafeBufferPointer<T>,
                                                            into d: UnsafeMutableBufferPointer<T>) {
        check("subtract", t.count, y.count, d.count)
        guard let tp = t.baseAddress, let yp = y.baseAddress, let dp = d.baseAddress else { return }
        T._subtract(tp, yp, dp, t.count)
    }

    /// y ← a·x0 + b·x1 (y may be one of the inputs' storage only through the raw kernel).
    @inlinable public static func axpby<T: KernelScalar>(_ a: T, _ x0: UnsafeBufferPointer<T>, _ b: T, _ x1: UnsafeBufferPointer<T>,
                                                         into y: UnsafeMutableBufferPointer<T>) {
        check("axpby", x0.count, x1.count, y.count)
        guard let p0 = x0.baseAddress, let p1 = x1.baseAddress, let yp = y.baseAddress else { return }
        T._axpby(a, p0, b, p1, yp, y.count)
    }

    /// y ← y + b·x (the in-place form of ``axpby(_:_:_:_:into:)``).
    @inlinable public static func addScaled<T: KernelScalar>(_ b: T, _ x: UnsafeBufferPointer<T>, inPlace y: UnsafeMutableBufferPointer<T>) {
        check("addScaled", x.count, y.count)
        guard let xp = x.baseAddress, let yp = y.baseAddress else { return }
        T._axpby(1, UnsafePointer(yp), b, xp, yp, y.count)
    }

    /// y ← x ⊙ m.
    @inlinable public static func multiply<T: KernelScalar>(_ x: UnsafeBufferPointer<T>, _ m: UnsafeBufferPointer<T>,
                                                            into y: UnsafeMutableBufferPointer<T>) {
        check("multiply", x.count, m.count, y.count)
        guard let xp = x.baseAddress, let mp = m.baseAddress, let yp = y.baseAddress else { return }
        T._multiply(xp, mp, yp, y.count)
    }

    /// y ← y ⊙ m.
    @inlinable public static func multiply<T: KernelScalar>(inPlace y: UnsafeMutableBufferPointer<T>, by m: UnsafeBufferPointer<T>) {
        check("multiply", y.count, m.count)
        guard let mp = m.baseAddress, let yp = y.baseAddress else { return }
        T._multiply(UnsafePointer(yp), mp, yp, y.count)
    }

    /// Σ x in `Double`, in 16 interleaved lanes (not left-to-right order). Non-finite when any
    /// element is NaN or ±∞, or when the sum overflows.
    @inlinable public static func sum<T: KernelScalar>(_ x: UnsafeBufferPointer<T>) -> Double {
        guard let xp = x.baseAddress else { return 0 }
        return T._sum(xp, x.count)
    }

}
