// ConvolutionFixtures.swift: convolution test fixtures: a small network using every image kind, random batches for it, and one convolution geometry's random operands.
import Backprop
import Linalg

enum ConvolutionFixtures {
    /// conv(2→3, 3×3, stride 2, padding 1) + ReLU → max-pool 2×2 stride 1 → conv(3→4, 2×2, padding 1) + tanh
    /// → avg-pool 2×3 stride (2, 1) → flatten → dense(8→3) + softmax, with cross-entropy, on 2×7×5 inputs
    /// (odd sizes, a stride, padding, overlapping max windows, several channels). Shapes per sample:
    /// 2×7×5 → 3×4×3 → 3×3×2 → 4×4×3 → 4×2×1 → 8 → 3. Random weights and non-zero biases.
    static func layers(seed: UInt64) -> [Layer<Double>] {
        var rng = SeededGenerator(seed: seed)
        func bias(_ n: Int) -> [Double] { (0..<n).map { _ in 0.2 * rng.nextNormal() } }
        let w1 = Matrix<Double>.randomNormal(rows: 3, columns: 2 * 3 * 3, scale: 0.4, using: &rng)
        let w2 = Matrix<Double>.randomNormal(rows: 4, columns: 3 * 2 * 2, scale: 0.4, using: &rng)
        let w3 = Matrix<Double>.randomNormal(rows: 8, columns: 3, scale: 0.6, using: &rng)
        return [
            .conv2d(Conv2D(input: (2, 7, 5), weights: w1, bias: bias(3), kernel: (3, 3), stride: (2, 2), padding: (1, 1), activation: .relu)),
            .maxPool2D(MaxPool2D(input: (3, 4, 3), window: (2, 2), stride: (1, 1))),
            .conv2d(Conv2D(input: (3, 3, 2), weights: w2, bias: bias(4), kernel: (2, 2), padding: (1, 1), activation: .tanh)),
            .avgPool2D(AvgPool2D(input: (4, 4, 3), window: (2, 3), stride: (2, 1))),
            .flatten(Flatten(input: (4, 2, 1))),
            .dense(weights: w3, bias: bias(3), activation: .softmax),
        ]
    }

    /// The network of ``layers(seed:)`` on backend `B`, in its precision.
    static func network<B: LinearAlgebra>(_: B.Type, seed: UInt64 = 1) throws -> Network<B> {
        try Network<B>(layers: layers(seed: seed).map { $0.converted(to: B.Scalar.self) }, loss: .crossEntropy)
    }

    /// `batch` random 2×7×5 inputs and one-hot targets over 3 classes.
    static func batch(_ batch: Int, seed: UInt64) -> (inputs: Matrix<Double>, targets: Matrix<Double>) {
        var rng = SeededGenerator(seed: seed)
        let x = Matrix<Double>.randomNormal(rows: batch, columns: 2 * 7 * 5, using: &rng)
        var t = Matrix<Double>(rows: batch, columns: 3)
        for i in 0..<batch { t[i, Int(rng.nextUniform() * 3) % 3] = 1 }
        return (x, t)
    }

    /// One layer's forward pass on `x` (`batch × inputCount`), then its backward with −∂ℓ/∂a = `d`:
    /// returns its outputs, the error terms it hands down (−∂ℓ/∂x per sample) and its parameter
    /// gradients ∂L/∂θ of the batch-mean loss (so −(1/batch)·Σ δ·∂h/∂θ). An identity dense layer
    /// below it receives the error terms; squared error with targets Y + D makes T − Y = D.
    static func passes<B: LinearAlgebra>(_ layer: Layer<Double>, _ x: Matrix<Double>, _ d: Matrix<Double>, on _: B.Type) throws
        -> (outputs: Matrix<Double>, inputErrors: Matrix<Double>, gradients: (weights: Matrix<Double>, bias: [Double]?)) {
        let below = Layer<Double>.dense(weights: Matrix<Double>.identity(layer.inputCount), activation: .identity)
        let network = try Network<B>(layers: [below, layer].map { $0.converted(to: B.Scalar.self) }, loss: .squaredError)
        let workspace = Workspace<B.Scalar>(batch: x.rows, layers: network.layers)
        network.forward(x.converted(to: B.Scalar.self), workspace: workspace)
        let outputs = workspace.outputs.converted(to: Double.self)
        var targets = outputs
        for i in targets.elements.indices { targets.elements[i] += d.elements[i] }
        var gradients = ParameterArrays<B.Scalar>(zerosLike: network.layers)
        network.gradients(inputs: x.converted(to: B.Scalar.self), targets: targets.converted(to: B.Scalar.self),
                          workspace: workspace, into: &gradients)
        let g = gradients.converted(to: Double.self)
        return (outputs, workspace.layers[0].errorTerms.converted(to: Double.self), (g.weights[1], g.biases[1]))
    }

    /// Geometries for the operation-level tests: non-square, strided, padded, several channels, a 1×1 kernel.
    static let shapes: [ConvolutionShape] = [
        ConvolutionShape(channels: 2, height: 7, width: 5, filters: 3, kernel: (3, 3), stride: (2, 2), padding: (1, 1)),
        ConvolutionShape(channels: 3, height: 4, width: 6, filters: 2, kernel: (2, 3), stride: (1, 2), padding: (0, 1)),
        ConvolutionShape(channels: 1, height: 5, width: 3, filters: 4, kernel: (1, 1)),
        ConvolutionShape(channels: 2, height: 3, width: 3, filters: 1, kernel: (3, 2), stride: (3, 1), padding: (2, 0)),
    ]

    /// Random X (`batch × C·H·W`), W (`F × C·kh·kw`), b (F) and D (`batch × F·H′·W′`) for `shape`.
    static func operands(_ shape: ConvolutionShape, batch: Int, seed: UInt64)
        -> (x: Matrix<Double>, w: Matrix<Double>, b: [Double], d: Matrix<Double>) {
        var rng = SeededGenerator(seed: seed)
        return (Matrix.randomNormal(rows: batch, columns: shape.inputCount, using: &rng),
                Matrix.randomNormal(rows: shape.filters, columns: shape.patchSize, using: &rng),
                (0..<shape.filters).map { _ in rng.nextNormal() },
                Matrix.randomNormal(rows: batch, columns: shape.outputCount, using: &rng))
    }
}

extension LinearAlgebra {
    /// The three convolution operations on `operands` in this backend's precision: Y = conv(X) + b,
    /// G = α·(weight gradient of D), E = (input gradient of D), with scratch made for them.
    static func convolutionResults(_ shape: ConvolutionShape, _ operands: (x: Matrix<Double>, w: Matrix<Double>, b: [Double], d: Matrix<Double>),
                                   alpha: Double = 1) -> (y: Matrix<Scalar>, g: Matrix<Scalar>, e: Matrix<Scalar>) {
        let x = operands.x.converted(to: Scalar.self), w = operands.w.converted(to: Scalar.self)
        let b = operands.b.map { Scalar($0) }, d = operands.d.converted(to: Scalar.self)
        let scratch = ConvolutionScratch<Scalar>(shape: shape, batch: x.rows)
        var y = Matrix<Scalar>(rows: x.rows, columns: shape.outputCount, repeating: .nan)
        var g = Matrix<Scalar>(rows: w.rows, columns: w.columns, repeating: .nan)
        var e = Matrix<Scalar>(rows: x.rows, columns: x.columns, repeating: .nan)
        convolve(shape, x, weights: w, bias: b, into: &y, scratch: scratch)
        convolutionWeightGradient(shape, x, errors: d, alpha: Scalar(alpha), into: &g, scratch: scratch)
        convolutionInputGradient(shape, errors: d, weights: w, into: &e, scratch: scratch)
        return (y, g, e)
    }
}
