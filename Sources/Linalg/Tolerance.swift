/// An agreement rule for floating-point results: |a − e| ≤ absolute + relative·|e|.
/// `vectors` is the test vectors' rule (`vectors/FORMAT.md`).
public struct Tolerance: Sendable, Equatable {
    /// The part of the allowance that does not scale with the expected value.
    public var absolute: Double
    /// The part that scales with |expected|.
    public var relative: Double

    /// The test vectors' rule.
    public static let vectors = Tolerance(absolute: 1e-12, relative: 1e-9)

    /// The rule |a − e| ≤ `absolute` + `relative`·|e|.
    public init(absolute: Double, relative: Double) {
        self.absolute = absolute
        self.relative = relative
    }

    /// Whether `actual` agrees with `expected`.
    public func accepts(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= absolute + relative * abs(expected)
    }
}
