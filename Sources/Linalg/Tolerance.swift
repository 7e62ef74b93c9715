// Tolerance.swift: named agreement rules for floating-point results.
/// An agreement rule for floating-point results:
/// |a − e| ≤ absolute + relative·|e| + ofFieldLargest·max|field|, where the field is the array `e`
/// belongs to (its outputs, or one layer's weight steps). `vectors` is the test vectors' rule
/// (`vectors/FORMAT.md`); ``float32Step`` the rule for a float32 step against float64 answers.
public struct Tolerance: Sendable, Equatable {
    /// The part of the allowance that does not scale with the expected value.
    public var absolute: Double
    /// The part that scales with |expected|.
    public var relative: Double
    /// The part that scales with the largest |value| of the expected value's field: an element that
    /// is a small difference of large terms carries their rounding, not its own.
    public var ofFieldLargest: Double

    /// The test vectors' rule.
    public static let vectors = Tolerance(absolute: 1e-12, relative: 1e-9)

    /// A float32 step (inputs, weights and targets rounded to `Float`, every operation in `Float`)
    /// against the float64 answers: 1e-5 relative plus 1e-5 of the field's largest value. Each
    /// rounding is within ε/2 = 2⁻²⁴ ≈ 6e-8 relative; the vectors' sums have at most a few dozen
    /// terms and a step chains about ten such operations (forward, δ, outer product), so the error
    /// stays below ~40·6e-8 ≈ 2.4e-6 of the terms' magnitude; 1e-5 leaves a factor of four, and an
    /// error in the maths (a missing factor, a transposed product) is off by far more.
    public static let float32Step = Tolerance(absolute: 0, relative: 1e-5, ofFieldLargest: 1e-5)

    /// The rule a step computed in `precision` is held to against float64 answers.
    public static func step(_ precision: Precision) -> Tolerance {
        precision == .float32 ? .float32Step : .vectors
    }

    /// The rule |a − e| ≤ `absolute` + `relative`·|e| + `ofFieldLargest`·max|field|.
    public init(absolute: Double, relative: Double, ofFieldLargest: Double = 0) {
        self.absolute = absolute
        self.relative = relative
        self.ofFieldLargest = ofFieldLargest
    }

    /// Whether `actual` agrees with `expected`, in a field whose largest |value| is `fieldLargest`.
    public func accepts(_ actual: Double, _ expected: Double, fieldLargest: Double = 0) -> Bool {
        abs(actual - expected) <= absolute + relative * abs(expected) + ofFieldLargest * fieldLargest
    }
}
