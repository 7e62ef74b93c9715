import Linalg

/// One fully connected layer: `a = f(x·W + b)` for a row `x`.
///
/// `weights` is `fanIn × fanOut`, row-major: row i holds the weights leaving input i (the lesson's
/// `weights_input_hidden`). `bias`, when present, has `fanOut` entries.
public struct DenseLayer: Equatable, Sendable {
    /// `fanIn × fanOut`.
    public var weights: Matrix
    /// `fanOut` entries, or nil for a layer without bias (as in the lesson).
    public var bias: [Double]?
    /// The nonlinearity applied after the affine map.
    public var activation: Activation

    /// Inputs per sample.
    public var fanIn: Int { weights.rows }
    /// Outputs per sample.
    public var fanOut: Int { weights.columns }
    /// Weights plus biases.
    public var parameterCount: Int { weights.elements.count + (bias?.count ?? 0) }

    /// A layer over `weights` (`fanIn × fanOut`) and `bias` (`fanOut` entries or nil). Shapes are
    /// checked when the layer becomes part of a ``Network`` (``Network/init(layers:loss:)`` throws).
    public init(weights: Matrix, bias: [Double]? = nil, activation: Activation) {
        self.weights = weights
        self.bias = bias
        self.activation = activation
    }
}
