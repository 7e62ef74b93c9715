// DecimalDigits.swift: the decimal digits of a non-negative finite double, in scientific form.
/// The decimal digits of a non-negative finite double, in scientific form:
/// value = d0.d1d2... × 10^exponent, with d0 != 0 unless the value is zero.
///
/// NumPy prints floats with Dragon4, which in the modes NumPy's array printing
/// uses behaves like this (see `FloatingFormat.fillFormat` in arrayprint.py and
/// `Dragon4` in dragon4.c):
///  * when the shortest round-trip digits fit within the digit cutoff, those
///    digits are printed;
///  * otherwise the *exact* binary value is rounded at the cutoff, ties to the
///    even digit (so 0.125 to two places is 0.12).
/// `shortest` and `exact` provide the two sources of digits and the `rounded`
/// functions do the exact half-even rounding.
struct DecimalDigits: Equatable {
    /// Decimal digits 0...9, most significant first; never has trailing zeros
    /// except for the single digit of zero.
    var digits: [UInt8]
    /// Power of ten of `digits[0]`.
    var exponent: Int

    static let zero = DecimalDigits(digits: [0], exponent: 0)

    var isZero: Bool { digits == [0] }

    /// Number of digits after the decimal point in positional notation.
    var fractionLength: Int { max(0, digits.count - 1 - exponent) }

    /// The shortest digits that round-trip to `x` (closest to `x` when several
    /// do). Swift's `description` produces exactly these; we only re-parse it.
    static func shortest(_ x: Double) -> DecimalDigits {
        precondition(x.isFinite && x >= 0, "shortest(_:) needs a finite non-negative value")
        if x == 0 { return .zero }
        var mantissa: [UInt8] = []
        var digitsBeforePoint: Int?
        var exponentPart = 0
        var text = Substring(x.description)
        if let e = text.firstIndex(of: "e") {
            // Swift writes exponents as "e-05" / "e+16"; Int() accepts the sign.
            exponentPart = Int(text[text.index(after: e)...])!
            text = text[..<e]
        }
        for ch in text.utf8 {
            if ch == UInt8(ascii: ".") {
                digitsBeforePoint = mantissa.count
            } else {
                mantissa.append(ch - UInt8(ascii: "0"))
            }
        }
        let pointPosition = digitsBeforePoint ?? mantissa.count
        let firstNonZero = mantissa.firstIndex { $0 != 0 }!
        var result = DecimalDigits(
            digits: Array(mantissa[firstNonZero...]),
            exponent: pointPosition - 1 - firstNonZero + exponentPart)
        result.trimTrailingZeros()
        return result
    }

    /// Every digit of the exact binary value of `x` (at most ~770 of them).
    static func exact(_ x: Double) -> DecimalDigits {
        precondition(x.isFinite && x >= 0, "exact(_:) needs a finite non-negative value")
        if x == 0 { return .zero }
        // x = significand × 2^binaryExponent with an integer significand.
        let significand = x.significandBitPattern
            | (x.isNormal ? (1 << UInt64(Double.significandBitCount)) : 0)
        // Subnormals share the exponent of the smallest normal; bias is 1023.
        let binaryExponent: Int = (x.isNormal ? Int(x.exponentBitPattern) : 1)
            - 1023 - Double.significandBitCount
        var n = BigUInt(significand)
        var decimalShift = 0
        if binaryExponent >= 0 {
            n.shiftLeft(binaryExponent)
        } else {
            // m × 2^-k = (m × 5^k) × 10^-k keeps everything in integers.
            n.multiply(byPowerOfFive: -binaryExponent)
            decimalShift = binaryExponent
        }
        let integerDigits = n.decimalDigits()
        var result = DecimalDigits(
            digits: integerDigits,
            exponent: integerDigits.count - 1 + decimalShift)
        result.trimTrailingZeros()
        return result
    }

    /// Rounds half-to-even so that at most `count` significant digits remain
    /// (`count` >= 1), then drops trailing zeros.
    func rounded(significantDigits count: Int) -> DecimalDigits {
        precondition(count >= 1)
        return rounded(keeping: count)
    }

    /// Rounds half-to-even at the `count`-th digit after the decimal point,
    /// then drops trailing zeros. May round to zero.
    func rounded(fractionDigits count: Int) -> DecimalDigits {
        if isZero { return self }
        return rounded(keeping: exponent + 1 + count)
    }

    /// Keeps the first `keep` entries of `digits` (which may be zero or
    /// negative: the cut lies before the first digit) and rounds half-even.
    private func rounded(keeping keep: Int) -> DecimalDigits {
        if keep >= digits.count { return self }
        if keep < 0 {
            // The value is below a tenth of the last kept unit: rounds to 0.
            return .zero
        }
        // Decide on the dropped tail digits[keep...] against half a unit.
        let first = digits[keep]
        let restNonZero = digits[(keep + 1)...].contains { $0 != 0 }
        let lastKept = keep > 0 ? digits[keep - 1] : 0
        let roundUp = first > 5 || (first == 5 && (restNonZero || lastKept % 2 == 1))
        var kept = Array(digits[..<keep])
        var newExponent = exponent
        if roundUp {
            var i = kept.count - 1
            while i >= 0 && kept[i] == 9 {
                kept[i] = 0
                i -= 1
            }
            if i >= 0 {
                kept[i] += 1
            } else {
                // Carried out of the leading digit (9.99 -> 10.0).
                kept.insert(1, at: 0)
                newExponent += 1
            }
        }
        if kept.isEmpty { return .zero }
        var result = DecimalDigits(digits: kept, exponent: newExponent)
        result.trimTrailingZeros()
        return result
    }

    private mutating func trimTrailingZeros() {
        while digits.count > 1 && digits.last == 0 {
            digits.removeLast()
        }
        if digits == [0] { exponent = 0 }
    }
}

/// Just enough unsigned big-integer arithmetic to expand a double exactly:
/// 32-bit limbs, least significant first.
struct BigUInt {
    private var limbs: [UInt32]

    init(_ value: UInt64) {
        limbs = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
        normalize()
    }

    mutating func shiftLeft(_ bits: Int) {
        let limbShift = bits / 32
        let bitShift = UInt32(bits % 32)
        if bitShift > 0 {
            var carry: UInt32 = 0
            for i in limbs.indices {
                let limb = limbs[i]
                limbs[i] = (limb << bitShift) | carry
                carry = limb >> (32 - bitShift)
            }
            if carry != 0 { limbs.append(carry) }
        }
        limbs.insert(contentsOf: repeatElement(0, count: limbShift), at: 0)
    }

    mutating func multiply(by factor: UInt32) {
        var carry: UInt64 = 0
        for i in limbs.indices {
            let product = UInt64(limbs[i]) * UInt64(factor) + carry
            limbs[i] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry != 0 { limbs.append(UInt32(carry)) }
    }

    mutating func multiply(byPowerOfFive power: Int) {
        // 5^13 is the largest power of five that fits in 32 bits.
        var remaining = power
        while remaining >= 13 {
            multiply(by: 1_220_703_125)
            remaining -= 13
        }
        var factor: UInt32 = 1
        for _ in 0..<remaining { factor *= 5 }
        if factor > 1 { multiply(by: factor) }
    }

    /// Decimal digits, most significant first ([0] for zero).
    func decimalDigits() -> [UInt8] {
        var n = limbs
        var chunks: [UInt32] = []  // base 10^9, least significant first
        while !n.isEmpty {
            var remainder: UInt64 = 0
            for i in n.indices.reversed() {
                let current = (remainder << 32) | UInt64(n[i])
                n[i] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while n.last == 0 { n.removeLast() }
        }
        guard let top = chunks.last else { return [0] }
        var digits: [UInt8] = []
        for ch in String(top).utf8 { digits.append(ch - UInt8(ascii: "0")) }
        for chunk in chunks.dropLast().reversed() {
            var value = chunk
            var group = [UInt8](repeating: 0, count: 9)
            for i in stride(from: 8, through: 0, by: -1) {
                group[i] = UInt8(value % 10)
                value /= 10
            }
            digits.append(contentsOf: group)
        }
        return digits
    }

    private mutating func normalize() {
        while limbs.last == 0 { limbs.removeLast() }
    }
}
