// SingleSampleStepTests.swift: the allocation-free single-sample step against the convenience step, bit for bit, on every vector.
import Backprop
import ModelFiles
import Foundation
import Linalg
import Testing
import TestSupport

/// The allocation-free single-sample step (`computeStep(…, workspace:into:)` on one row) against the
/// convenience `computeStep`, bit for bit, on every case in Tests/Vectors, with one workspace and one
/// set of step arrays reused over every sample of a case; and against the cases' answers computed
/// outside the project.
@Suite struct SingleSampleStepTests {
    /// Every number of a result as its bit pattern, so `−0.0` and `+0.0` differ.
    static func bits(outputs: Matrix<Double>, loss: Double, steps: ParameterArrays<Double>) -> [UInt64] {
        var all = outputs.elements.map(\.bitPattern) + [loss.bitPattern]
        for l in steps.weights.indices {
            all += steps.weights[l].elements.map(\.bitPattern)
            all += (steps.biases[l] ?? []).map(\.bitPattern)
        }
        return all
    }

    static func bits(_ r: StepResult<Double>) -> [UInt64] { bits(outputs: r.outputs, loss: r.loss, steps: r.steps) }

    @Test func reusedWorkspaceEqualsTheConvenienceStepOnBLAS() throws { try checkAll(BLAS<Double>.self) }
    @Test func reusedWorkspaceEqualsTheConvenienceStepOnReference() throws { try checkAll(Reference<Double>.self) }

    func checkAll<B: LinearAlgebra>(_: B.Type) throws where B.Scalar == Double {
        for file in try TestData.vectorFiles() {
            let c = try TrainingCase.load(path: file.path)
            let network = c.network(B.self)
            let workspace = Workspace<Double>(batch: 1, layers: network.layers)
            var steps = ParameterArrays<Double>(zerosLike: network.layers)
            let n = c.inputs.rows
            // Forward then backward over the samples, so every sample follows another's state in the workspace.
            for i in Array(0..<n) + (0..<n).reversed() {
                let x = Matrix([c.inputs.row(i)]), t = Matrix([c.targets.row(i)])
                let loss = network.computeStep(inputs: x, targets: t, learningRate: c.learningRate, workspace: workspace, into: &steps)
                let reused = Self.bits(outputs: workspace.outputs, loss: loss, steps: steps)
                let convenience = network.computeStep(inputs: x, targets: t, learningRate: c.learningRate)
                #expect(reused == Self.bits(convenience), "\(c.name) sample \(i) on \(B.name)")
                if n == 1 {  // The case's answer, computed outside the project.
                    let expected = try #require(c.expected, "\(c.name) has no expected block")
                    #expect(Tolerance.vectors.accepts(loss, expected.loss), "\(c.name) loss on \(B.name)")
                    #expect(Approximate.firstMismatch(workspace.outputs, expected.outputs, .vectors) == nil, "\(c.name) outputs on \(B.name)")
                    for l in network.layers.indices {
                        #expect(Approximate.firstMismatch(steps.weights[l], expected.steps.weights[l], .vectors) == nil,
                                "\(c.name) layer \(l) on \(B.name)")
                        if let b = expected.steps.biases[l] {
                            #expect(Approximate.firstMismatch(steps.biases[l]!, b, .vectors) == nil, "\(c.name) layer \(l) bias on \(B.name)")
                        }
                    }
                }
            }
        }
    }

    /// A batch's step is the mean of its samples' steps (the batch-mean loss): the reused workspace's
    /// steps, averaged, give each batch case's expected steps.
    @Test func reusedWorkspaceStepsAverageToEachBatchCase() throws {
        var batchCases = 0
        for file in try TestData.vectorFiles() {
            let c = try TrainingCase.load(path: file.path)
            let n = c.inputs.rows
            guard n > 1 else { continue }
            batchCases += 1
            let expected = try #require(c.expected, "\(c.name) has no expected block")
            let network = c.network(BLAS<Double>.self)
            let workspace = Workspace<Double>(batch: 1, layers: network.layers)
            var steps = ParameterArrays<Double>(zerosLike: network.layers)
            var mean = ParameterArrays<Double>(zerosLike: network.layers)
            for i in 0..<n {
                network.computeStep(inputs: Matrix([c.inputs.row(i)]), targets: Matrix([c.targets.row(i)]), learningRate: c.learningRate,
                                    workspace: workspace, into: &steps)
                for l in network.layers.indices {
                    BLAS<Double>.axpy(alpha: 1 / Double(n), steps.weights[l].elements, into: &mean.weights[l].elements)
                    if let b = steps.biases[l] { BLAS<Double>.axpy(alpha: 1 / Double(n), b, into: &mean.biases[l]!) }
                }
            }
            for l in network.layers.indices {
                #expect(Approximate.firstMismatch(mean.weights[l], expected.steps.weights[l], .vectors) == nil, "\(c.name) layer \(l)")
                if let b = expected.steps.biases[l] {
                    #expect(Approximate.firstMismatch(mean.biases[l]!, b, .vectors) == nil, "\(c.name) layer \(l) bias")
                }
            }
        }
        #expect(batchCases >= 3, "expected the batch cases of Tests/Vectors, found \(batchCases)")
    }
}
