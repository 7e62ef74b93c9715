// ConvolutionTests.swift: convolution operations: a case worked by hand, BLAS against Reference, the adjoint identities, and the layer's shape errors.
import Backprop
import Linalg
import Testing
import TestSupport

@Suite struct ConvolutionTests {
    /// x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]] (one channel), one 2×2 filter W = [[1, 2], [3, 4]], b = 0.5,
    /// stride 1, no padding: 2×2 outputs y[i, j] = b + Σ_{u,v} W[u, v]·x[i + u, j + v]:
    ///   y[0,0] = 1·1 + 2·2 + 3·4 + 4·5 = 37,  y[0,1] = 1·2 + 2·3 + 3·5 + 4·6 = 47,
    ///   y[1,0] = 1·4 + 2·5 + 3·7 + 4·8 = 67,  y[1,1] = 1·5 + 2·6 + 3·8 + 4·9 = 77; each + 0.5.
    /// With output errors D = [[1, −1], [0, 2]] (α = 1):
    ///   G[u, v] = Σ_{i,j} D[i, j]·x[i + u, j + v] = x[u, v] − x[u, v + 1] + 2·x[u + 1, v + 1]
    ///           = [[1 − 2 + 10, 2 − 3 + 12], [4 − 5 + 16, 5 − 6 + 18]] = [[9, 11], [15, 17]];
    ///   E[y, x] = Σ W[u, v]·D[y − u, x − v]:
    ///     row 0: 1·1 = 1;  1·(−1) + 2·1 = 1;  2·(−1) = −2
    ///     row 1: 3·1 = 3;  1·2 + 3·(−1) + 4·1 = 3;  2·2 + 4·(−1) = 0
    ///     row 2: 3·0 = 0;  3·2 + 4·0 = 6;  4·2 = 8      (sum 20 = ΣW·ΣD = 10·2)
    static let handShape = ConvolutionShape(channels: 1, height: 3, width: 3, filters: 1, kernel: (2, 2))
    static let handOperands = (x: Matrix<Double>([[1, 2, 3, 4, 5, 6, 7, 8, 9]]), w: Matrix<Double>([[1, 2, 3, 4]]), b: [0.5],
                               d: Matrix<Double>([[1, -1, 0, 2]]))

    func handCase<B: LinearAlgebra>(_ backend: B.Type) {
        let (y, g, e) = B.convolutionResults(Self.handShape, Self.handOperands)
        #expect(y.converted(to: Double.self) == Matrix([[37.5, 47.5, 67.5, 77.5]]), "\(B.self)")
        #expect(g.converted(to: Double.self) == Matrix([[9, 11, 15, 17]]), "\(B.self)")
        #expect(e.converted(to: Double.self) == Matrix([[1, 1, -2, 3, 3, 0, 0, 6, 8]]), "\(B.self)")
    }

    @Test func aCaseWorkedByHandOnEveryBackendAndPrecision() {
        handCase(BLAS<Double>.self)
        handCase(BLAS<Float>.self)
        handCase(Reference<Double>.self)
        handCase(Reference<Float>.self)
    }

    /// The same x and W with padding 1 and stride 2: H′ = W′ = ⌊(3 + 2 − 2)/2⌋ + 1 = 2, and output (i, j)
    /// reads padded rows 2i − 1, 2i and columns 2j − 1, 2j (row or column −1 is padding):
    ///   y[0,0] = W[1,1]·x[0,0] = 4;  y[0,1] = W[1,0]·x[0,1] + W[1,1]·x[0,2] = 6 + 12 = 18;
    ///   y[1,0] = W[0,1]·x[1,0] + W[1,1]·x[2,0] = 8 + 28 = 36;  y[1,1] = 5 + 12 + 24 + 36 = 77 (no bias).
    @Test func paddingAndStrideWorkedByHand() {
        let shape = ConvolutionShape(channels: 1, height: 3, width: 3, filters: 1, kernel: (2, 2), stride: (2, 2), padding: (1, 1))
        for (y, backend) in [(BLAS<Double>.self.convolutionResults(shape, (Self.handOperands.x, Self.handOperands.w, [0], Matrix(rows: 1, columns: 4))).y, "blas"),
                             (Reference<Double>.self.convolutionResults(shape, (Self.handOperands.x, Self.handOperands.w, [0], Matrix(rows: 1, columns: 4))).y, "reference")] {
            #expect(y == Matrix([[4, 18, 36, 77]]), "\(backend)")
        }
    }

    @Test(arguments: ConvolutionFixtures.shapes, [1, 3])
    func blasAgreesWithReference(shape: ConvolutionShape, batch: Int) {
        let operands = ConvolutionFixtures.operands(shape, batch: batch, seed: UInt64(batch))
        let reference = Reference<Double>.convolutionResults(shape, operands, alpha: -0.25)
        let blas = BLAS<Double>.convolutionResults(shape, operands, alpha: -0.25)
        let tight = Approximate.backends(sumLength: max(shape.patchSize, batch * shape.outputPositions))
        #expect(Approximate.firstMismatch(blas.y, reference.y, tight) == nil, "forward")
        #expect(Approximate.firstMismatch(blas.g, reference.g, tight) == nil, "weight gradient")
        #expect(Approximate.firstMismatch(blas.e, reference.e, tight) == nil, "input gradient")
        // Float32 on either backend against the float64 answer: a few float32 ulps of sums of N(0, 1) products.
        let float32 = Tolerance(absolute: 1e-5, relative: 1e-5)
        for single in [BLAS<Float>.convolutionResults(shape, operands, alpha: -0.25), Reference<Float>.convolutionResults(shape, operands, alpha: -0.25)] {
            #expect(Approximate.firstMismatch(single.y, reference.y, float32) == nil, "forward, float32")
            #expect(Approximate.firstMismatch(single.g, reference.g, float32) == nil, "weight gradient, float32")
            #expect(Approximate.firstMismatch(single.e, reference.e, float32) == nil, "input gradient, float32")
        }
        #expect(reference.e.elements.contains { $0 != 0 } && reference.g.elements.contains { $0 != 0 })
    }

    /// The convolution is linear in X and in W, so with Y₀ = conv(X) without bias, ⟨D, Y₀⟩ = ⟨E, X⟩ = ⟨G, W⟩
    /// for E the input gradient and G the weight gradient of D: the adjoint identities.
    @Test(arguments: ConvolutionFixtures.shapes)
    func gradientsAreTheAdjointsOfTheForwardPass(shape: ConvolutionShape) {
        let operands = ConvolutionFixtures.operands(shape, batch: 2, seed: 7)
        func inner(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        for (y, g, e) in [Reference<Double>.convolutionResults(shape, (operands.x, operands.w, Array(repeating: 0, count: shape.filters), operands.d)),
                          BLAS<Double>.convolutionResults(shape, (operands.x, operands.w, Array(repeating: 0, count: shape.filters), operands.d))] {
            let dy = inner(operands.d.elements, y.elements)
            #expect(abs(dy - inner(e.elements, operands.x.elements)) < 1e-12 * max(1, abs(dy)) * 100)
            #expect(abs(dy - inner(g.elements, operands.w.elements)) < 1e-12 * max(1, abs(dy)) * 100)
        }
    }

    /// The network of every image kind: outputs and every parameter gradient agree between the backends,
    /// for one sample and a batch, in float64 (tightly) and float32 (against float64).
    @Test(arguments: [1, 4])
    func networksAgreeAcrossBackendsAndPrecisions(batch: Int) throws {
        let (x, t) = ConvolutionFixtures.batch(batch, seed: 11)
        /// Outputs, parameter gradients, and each layer's error terms δ after the backward pass (what the
        /// layer above handed down through its input gradient, times f′).
        func run<B: LinearAlgebra>(_ backend: B.Type) throws -> (Matrix<Double>, ParameterArrays<Double>, [Matrix<Double>]) {
            let network = try ConvolutionFixtures.network(B.self)
            let workspace = Workspace<B.Scalar>(batch: batch, layers: network.layers)
            var gradients = ParameterArrays<B.Scalar>(zerosLike: network.layers)
            network.gradients(inputs: x.converted(to: B.Scalar.self), targets: t.converted(to: B.Scalar.self), workspace: workspace, into: &gradients)
            return (workspace.outputs.converted(to: Double.self), gradients.converted(to: Double.self),
                    workspace.layers.map { $0.errorTerms.converted(to: Double.self) })
        }
        let (referenceY, reference, referenceErrors) = try run(Reference<Double>.self)
        let tight = Approximate.backends(sumLength: 100), float32 = Tolerance(absolute: 1e-5, relative: 1e-4)
        for (label, (y, g, errors), tolerance) in [("blas float64", try run(BLAS<Double>.self), tight), ("blas float32", try run(BLAS<Float>.self), float32),
                                           ("reference float32", try run(Reference<Float>.self), float32)] {
            #expect(Approximate.firstMismatch(y, referenceY, tolerance) == nil, "\(label): outputs")
            for l in g.weights.indices {
                #expect(Approximate.firstMismatch(g.weights[l], reference.weights[l], tolerance) == nil, "\(label): layer \(l) weights")
                #expect(Approximate.firstMismatch(g.biases[l] ?? [], reference.biases[l] ?? [], tolerance) == nil, "\(label): layer \(l) bias")
                #expect(Approximate.firstMismatch(errors[l], referenceErrors[l], tolerance) == nil, "\(label): layer \(l) error terms")
            }
        }
        for l in [0, 2, 5] { #expect(reference.weights[l].elements.contains { abs($0) > 1e-4 }, "layer \(l)'s gradient is all but zero") }
    }
}
