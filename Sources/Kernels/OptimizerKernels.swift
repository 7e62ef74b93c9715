// OptimizerKernels.swift: the optimisers' element-wise updates (SGD, momentum, Nesterov, Adam) over whole arrays.
extension Kernel {
    /// One Adam update in place over θ, its moments m and v, from gradient g (all one length):
    /// m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², θ ← θ − stepSize·m / (√(v·inverseCorrection2) + ε),
    /// with the bias corrections folded into `stepSize` = η/(1−β1ᵗ) and `inverseCorrection2` = 1/(1−β2ᵗ).
    @inlinable public static func adam<T: KernelScalar>(
        parameters theta: UnsafeMutableBufferPointer<T>, gradients g: UnsafeBufferPointer<T>,
        m: UnsafeMutableBufferPointer<T>, v: UnsafeMutableBufferPointer<T>,
        beta1: T, beta2: T, stepSize: T, inverseCorrection2: T, epsilon: T
    ) {
        check("adam", theta.count, g.count, m.count, v.count)
        guard let tp = theta.baseAddress, let gp = g.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress else { return }
        T._adam(tp, gp, mp, vp, theta.count, beta1, beta2, stepSize, inverseCorrection2, epsilon)
    }

    /// One momentum update in place: v ← μ·v − η·g; θ ← θ + v, or θ ← θ + μ·v − η·g with `nesterov`.
    @inlinable public static func momentum<T: KernelScalar>(
        parameters theta: UnsafeMutableBufferPointer<T>, gradients g: UnsafeBufferPointer<T>,
        velocity v: UnsafeMutableBufferPointer<T>, momentum mu: T, learningRate eta: T, nesterov: Bool
    ) {
        check("momentum", theta.count, g.count, v.count)
        guard let tp = theta.baseAddress, let gp = g.baseAddress, let vp = v.baseAddress else { return }
        T._momentum(tp, gp, vp, theta.count, mu, eta, nesterov)
    }

    /// Inverted dropout over rows of `columns`: row r runs the xoshiro256** generator whose four state
    /// words are `states[4r..<4r+4]` (advanced in place, one draw per element); u = (next >> 11)·2⁻⁵³,
    /// mask = u < rate ? 0 : keep, dropped = a ⊙ mask. The same draws as Linalg's
    /// `SeededGenerator.nextUniform()` from those words.
    @inlinable public static func dropout<T: KernelScalar>(
        states: UnsafeMutableBufferPointer<UInt64>, _ a: UnsafeBufferPointer<T>, columns: Int, rate: Double, keep: T,
        mask: UnsafeMutableBufferPointer<T>, dropped: UnsafeMutableBufferPointer<T>
    ) {
        check("dropout", a.count, mask.count, dropped.count)
        precondition(columns > 0 && a.count % columns == 0 && states.count == 4 * (a.count / columns),
                     "Kernel.dropout: \(a.count) values in rows of \(columns) with \(states.count) state words")
        guard let sp = states.baseAddress, let ap = a.baseAddress, let mp = mask.baseAddress, let dp = dropped.baseAddress else { return }
        T._dropout(sp, ap, mp, dp, a.count / columns, columns, rate, keep)
    }

    /// out ← (x − offset) ⊙ scale for one row of bytes, computed in `Double` and rounded once to `T`.
    @inlinable public static func scale<T: KernelScalar>(
        bytes x: UnsafeBufferPointer<UInt8>, offset: UnsafeBufferPointer<Double>, scale: UnsafeBufferPointer<Double>,
        into out: UnsafeMutableBufferPointer<T>
    ) {
        scaleRow("scale(bytes:)", x, offset, scale, out, T._scaleBytes)
    }

    /// out ← (x − offset) ⊙ scale for one row of doubles, rounded once to `T`.
    @inlinable public static func scale<T: KernelScalar>(
        doubles x: UnsafeBufferPointer<Double>, offset: UnsafeBufferPointer<Double>, scale: UnsafeBufferPointer<Double>,
        into out: UnsafeMutableBufferPointer<T>
    ) {
        scaleRow("scale(doubles:)", x, offset, scale, out, T._scaleDoubles)
    }

    /// out ← (x − offset) ⊙ scale by `kernel`, after checking the four lengths agree.
    @inlinable static func scaleRow<X, T: KernelScalar>(
        _ name: StaticString, _ x: UnsafeBufferPointer<X>, _ offset: UnsafeBufferPointer<Double>, _ scale: UnsafeBufferPointer<Double>,
        _ out: UnsafeMutableBufferPointer<T>, _ kernel: (UnsafePointer<X>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafeMutablePointer<T>, Int) -> Void
    ) {
        check(name, x.count, offset.count, scale.count, out.count)
        guard let xp = x.baseAddress, let op = offset.baseAddress, let sp = scale.baseAddress, let outp = out.baseAddress else { return }
        kernel(xp, op, sp, outp, out.count)
    }
}
