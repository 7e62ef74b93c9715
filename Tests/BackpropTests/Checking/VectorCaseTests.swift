// VectorCaseTests.swift: every case in Tests/Vectors, on both backends, against answers computed outside the project.
import Backprop
import ModelFiles
import Foundation
import Linalg
import Testing
import TestSupport

/// Every case in Tests/Vectors, on both backends, against answers computed outside the project.
@Suite struct VectorCaseTests {
    @Test func vectorsFolderIsPresentAndComplete() throws {
        let files = try TestData.vectorFiles()
        #expect(files.count >= 8, "expected the 8 vector cases, found \(files.count) in \(TestData.vectorsDirectory.path)")
    }

    @Test func everyCaseMatchesOnBLAS() throws { try checkAll(BLAS<Double>.self) }
    @Test func everyCaseMatchesOnReference() throws { try checkAll(Reference<Double>.self) }
    // float32: the same answers (computed in float64 outside the project) within Tolerance.float32Step,
    // whose derivation from Float's epsilon is at its definition.
    @Test func everyCaseMatchesOnBLASInFloat32() throws { try checkAll(BLAS<Float>.self) }
    @Test func everyCaseMatchesOnReferenceInFloat32() throws { try checkAll(Reference<Float>.self) }

    func checkAll<B: LinearAlgebra>(_ backend: B.Type) throws {
        for file in try TestData.vectorFiles() {
            let c = try TrainingCase.load(path: file.path)
            let expected = try #require(c.expected, "\(file.lastPathComponent) has no expected block")
            let result = c.network(B.self).computeStep(inputs: c.inputs.converted(), targets: c.targets.converted(),
                                                       learningRate: B.Scalar(c.learningRate))
            let mismatch = c.firstMismatch(result, tolerance: .step(B.Scalar.precision))
            #expect(mismatch == nil, "\(c.name) on \(B.name) in \(B.Scalar.precision): \(mismatch ?? "")")
            // The comparison must not pass on zeros.
            #expect(Approximate.isNontrivial(expected.steps.weights.flatMap(\.elements)))
        }
    }

    /// Float BLAS against Float reference: the same float32 operations in other orders, so they agree
    /// far closer than either agrees with float64 (a few ulps of the field's largest value).
    @Test func float32BackendsAgreeWithEachOther() throws {
        for file in try TestData.vectorFiles() {
            let c = try TrainingCase.load(path: file.path)
            func step<B: LinearAlgebra>(_: B.Type) -> StepResult<Float> where B.Scalar == Float {
                c.network(B.self).computeStep(inputs: c.inputs.converted(), targets: c.targets.converted(), learningRate: Float(c.learningRate))
            }
            let (blas, reference) = (step(BLAS<Float>.self), step(Reference<Float>.self))
            // 32 ulps of Float (2⁻²³ each) of each field's largest value: sums of up to a few dozen terms in two orders.
            let rule = Tolerance(absolute: 0, relative: 0, ofFieldLargest: 32 * Double(Float.ulpOfOne))
            let expected = TrainingCase.Expected(outputs: reference.outputs.converted(), loss: reference.loss,
                                                 steps: reference.promoted.steps)
            let asCase = TrainingCase(name: c.name, c.definition, learningRate: c.learningRate, inputs: c.inputs,
                                      targets: c.targets, expected: expected)
            let mismatch = asCase.firstMismatch(blas, tolerance: rule)
            #expect(mismatch == nil, "\(c.name): BLAS<Float> against Reference<Float>: \(mismatch ?? "")")
        }
    }

    @Test func applyingTheStepChangesWeightsByIt() throws {
        let c = try TestData.vectorCase("batch4-sigmoid-with-biases")
        var network = c.network(BLAS<Double>.self)
        let before = network.layers
        network.step(inputs: c.inputs, targets: c.targets, learningRate: c.learningRate)
        let expected = try #require(c.expected)
        for l in before.indices {
            let moved = zip(network.layers[l].weights.elements, before[l].weights.elements).map { $0 - $1 }
            #expect(Approximate.firstMismatch(moved, expected.steps.weights[l].elements, .vectors) == nil)
        }
    }

    @Test func theLessonsWorkedExampleGivesItsRoundedNumbers() {
        // The lesson shows ΔW_ho = 0.0302 and Δw_ih = (0.00015, 0.00045), cut to two significant digits.
        let c = Lesson.workedExample
        let result = c.network(BLAS<Double>.self).computeStep(inputs: c.inputs, targets: c.targets, learningRate: c.learningRate)
        #expect(abs(result.steps.weights[1][0, 0] - 0.0302) < 0.00005)
        #expect(abs(result.steps.weights[0][0, 0] - 0.00015) < 0.00001)
        #expect(abs(result.steps.weights[0][1, 0] - 0.00045) < 0.00001)
    }
}
