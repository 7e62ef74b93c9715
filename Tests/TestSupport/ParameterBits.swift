// ParameterBits.swift: a network's parameters as bit patterns, for the tests that expect the same weights bit for bit.
import Backprop

/// Every parameter of `layers` as its bit pattern, layer by layer, the weights (row-major) then the
/// bias: two runs that must end with the same weights compare these, so a last-bit difference or a
/// lost sign of zero is a difference. A float32 network compares through
/// `definition.converted(to: Double.self).layers` (exact, and as distinct as the float32 bits).
public func parameterBits(_ layers: [Layer<Double>]) -> [UInt64] {
    layers.flatMap { $0.weights.elements.map(\.bitPattern) + ($0.bias ?? []).map(\.bitPattern) }
}
