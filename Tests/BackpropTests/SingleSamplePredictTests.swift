// SingleSamplePredictTests.swift: `Network.predict(_:workspace:into:)` on one row into a reused workspace and output, against the whole-matrix predict on the other backend; its allocations are counted by the bench (`scripts/bench.sh --quick --check-allocations`).
import Backprop
import Linalg
import Testing
import TestSupport

/// One sample at a time through one 1-row workspace and one output array, reused over every row and
/// both precisions: each row's outputs are the reference backend's `predict` of the whole matrix, to
/// the backends' rounding.
@Suite struct SingleSamplePredictTests {
    func check<B: LinearAlgebra, R: LinearAlgebra<B.Scalar>>(_: B.Type, against _: R.Type, tolerance: Double) throws {
        var rng = SeededGenerator(seed: 3)
        let network = try Network<B>.make(sizes: [12, 7, 5, 4], hidden: .tanh, output: .softmax, loss: .crossEntropy, bias: true, using: &rng)
        let inputs = Matrix<B.Scalar>.randomUniform(rows: 9, columns: 12, using: &rng)
        let expected = network.on(R.self).predict(inputs)
        let workspace = Workspace<B.Scalar>(batch: 1, layers: network.layers)
        var row = Matrix<B.Scalar>(rows: 1, columns: 12), outputs = [B.Scalar](repeating: .nan, count: 4)
        for i in Array(0..<9) + (0..<9).reversed() {  // Every row after another row's state in the buffers.
            row.elements = inputs.row(i)
            network.predict(row, workspace: workspace, into: &outputs)
            for j in 0..<4 {
                #expect(abs(Double(outputs[j]) - Double(expected[i, j])) <= tolerance, "row \(i), output \(j): \(outputs[j]) against \(expected[i, j])")
            }
            #expect(abs(outputs.reduce(0, +) - 1) <= B.Scalar(tolerance * 4), "row \(i): softmax outputs sum to \(outputs.reduce(0, +))")
        }
    }

    @Test func float64RowsEqualTheReferenceWholeMatrix() throws { try check(BLAS<Double>.self, against: Reference<Double>.self, tolerance: 1e-14) }
    @Test func float32RowsEqualTheReferenceWholeMatrix() throws { try check(BLAS<Float>.self, against: Reference<Float>.self, tolerance: 1e-6) }
}
