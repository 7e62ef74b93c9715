// FloatingFormat.swift: a port of NumPy's FloatingFormat for float64 at the default print options.
/// Port of NumPy's `FloatingFormat` (numpy/_core/arrayprint.py) for float64
/// with the default print options: precision=8, floatmode='maxprec',
/// suppress=False, sign='-', nanstr='nan', infstr='inf'.
///
/// Like NumPy it looks at all the values that will be printed once, to choose
/// between positional and scientific notation and to find the common padding,
/// and then formats each value to that common layout.
struct FloatingFormat {
    /// NumPy's default `precision` print option.
    static let precision = 8

    /// Scientific notation instead of positional.
    private(set) var expFormat = false
    /// Characters left of the decimal point, sign included.
    private(set) var padLeft = 0
    /// Characters right of the decimal point (in scientific mode this also
    /// counts the exponent; NumPy only uses it there to pad nan/inf).
    private(set) var padRight = 0
    /// Scientific mode: number of fraction digits every value gets.
    private(set) var fractionDigits = 0
    /// Scientific mode: minimum number of exponent digits.
    private(set) var expSize = 2

    /// `fillFormat`: `data` is every value that will be printed (for a
    /// summarised array, only the corners NumPy keeps).
    init(_ data: [Double]) {
        let finite = data.filter { $0.isFinite }
        let hasNonFinite = finite.count != data.count
        let hasNegativeInfinity = data.contains { $0 == -.infinity }

        // Scientific notation when the non-zero magnitudes are very large,
        // very small, or span more than three orders of magnitude.
        let magnitudes = finite.lazy.filter { $0 != 0 }.map { abs($0) }
        if let maxValue = magnitudes.max(), let minValue = magnitudes.min() {
            // Overflow of the ratio to +inf counts as "> 1000", as in NumPy.
            expFormat = maxValue >= 1e8 || minValue < 0.0001 || maxValue / minValue > 1000
        }

        if finite.isEmpty {
            padLeft = 0
            padRight = 0
        } else if expFormat {
            // First pass: each value's own digits (unique, at most 8 after
            // the point); every value then gets the longest fraction.
            var anyNegative = false
            for x in finite {
                let digits = Self.scientificDigits(abs(x))
                fractionDigits = max(fractionDigits, digits.digits.count - 1)
                expSize = max(expSize, Self.exponentDigitCount(digits.exponent))
                if x.sign == .minus { anyNegative = true }
            }
            padLeft = anyNegative ? 2 : 1  // "-d" or "d"
            padRight = expSize + 2 + fractionDigits  // "e+XX" plus the fraction
        } else {
            // Positional: each value keeps its own (trimmed) digits; only
            // the padding on both sides of the point is shared.
            for x in finite {
                let digits = Self.positionalDigits(abs(x))
                let integerLength = max(1, digits.exponent + 1) + (x.sign == .minus ? 1 : 0)
                padLeft = max(padLeft, integerLength)
                padRight = max(padRight, digits.fractionLength)
            }
        }

        // Make room for "nan", "inf" or "-inf" spanning both sides of the point.
        if hasNonFinite {
            let offset = padRight + 1
            padLeft = max(padLeft, 3 - offset, 3 + (hasNegativeInfinity ? 1 : 0) - offset)
        }
    }

    /// `__call__`: one value in the common layout.
    func format(_ x: Double) -> String {
        if !x.isFinite {
            let text = x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf")
            return Self.spaces(padLeft + padRight + 1 - text.utf8.count) + text
        }
        let sign = x.sign == .minus ? "-" : ""
        if expFormat {
            // Every value gets exactly `fractionDigits` digits, rounded from
            // the exact binary value (Dragon4 with min_digits == precision).
            let digits = DecimalDigits.exact(abs(x)).rounded(significantDigits: fractionDigits + 1)
            // Rounding may have dropped trailing zeros; put them back.
            let fraction = Self.text(digits.digits.dropFirst())
                + String(repeating: "0", count: fractionDigits - (digits.digits.count - 1))
            let integerPart = sign + Self.text(digits.digits.prefix(1))
            let exponentValue = digits.exponent
            var exponentText = String(abs(exponentValue))
            exponentText = String(repeating: "0", count: max(0, expSize - exponentText.utf8.count)) + exponentText
            return Self.spaces(padLeft - integerPart.utf8.count) + integerPart + "."
                + fraction + "e" + (exponentValue < 0 ? "-" : "+") + exponentText
        } else {
            let digits = Self.positionalDigits(abs(x))
            let (integer, fraction) = Self.positionalParts(digits)
            let integerPart = sign + integer
            return Self.spaces(padLeft - integerPart.utf8.count) + integerPart + "."
                + fraction + Self.spaces(padRight - fraction.utf8.count)
        }
    }

    // MARK: - Digits

    /// Dragon4 unique mode with a cutoff of `precision` fraction digits in
    /// scientific notation (i.e. precision + 1 significant digits).
    static func scientificDigits(_ x: Double) -> DecimalDigits {
        let shortest = DecimalDigits.shortest(x)
        if shortest.digits.count <= precision + 1 { return shortest }
        return DecimalDigits.exact(x).rounded(significantDigits: precision + 1)
    }

    /// Dragon4 unique mode with a cutoff of `precision` digits after the point.
    static func positionalDigits(_ x: Double) -> DecimalDigits {
        let shortest = DecimalDigits.shortest(x)
        if shortest.fractionLength <= precision { return shortest }
        return DecimalDigits.exact(x).rounded(fractionDigits: precision)
    }

    /// Integer and fraction digit strings of a positional number.
    static func positionalParts(_ d: DecimalDigits) -> (integer: String, fraction: String) {
        if d.isZero { return ("0", "") }
        if d.exponent >= 0 {
            // Digits up to the units place, padded with zeros for large integers.
            let integerCount = d.exponent + 1
            let integer = text(d.digits.prefix(integerCount))
                + String(repeating: "0", count: max(0, integerCount - d.digits.count))
            return (integer, text(d.digits.dropFirst(integerCount)))
        }
        return ("0", String(repeating: "0", count: -d.exponent - 1) + text(d.digits[...]))
    }

    /// ASCII text of decimal digits.
    private static func text(_ digits: ArraySlice<UInt8>) -> String {
        String(decoding: digits.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
    }

    private static func exponentDigitCount(_ exponent: Int) -> Int {
        max(2, String(abs(exponent)).utf8.count)
    }

    private static func spaces(_ count: Int) -> String {
        String(repeating: " ", count: max(0, count))
    }
}
