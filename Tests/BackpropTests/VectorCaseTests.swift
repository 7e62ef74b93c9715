import Backprop
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

    @Test func everyCaseMatchesOnBLAS() throws { try checkAll(BLAS.self) }
    @Test func everyCaseMatchesOnReference() throws { try checkAll(Reference.self) }

    func checkAll<B: LinearAlgebra>(_ backend: B.Type) throws {
        for file in try TestData.vectorFiles() {
            let c = try TrainingCase.load(path: file.path)
            let expected = try #require(c.expected, "\(file.lastPathComponent) has no expected block")
            let result = c.network(B.self).computeStep(inputs: c.inputs, targets: c.targets, learningRate: c.learningRate)
            let mismatch = c.firstMismatch(result)
            #expect(mismatch == nil, "\(c.name) on \(B.name): \(mismatch ?? "")")
            // The comparison must not pass on zeros.
            #expect(Approximate.isNontrivial(expected.steps.weights.flatMap(\.elements)))
        }
    }

    @Test func applyingTheStepChangesWeightsByIt() throws {
        let c = try TestData.vectorCase("batch4-sigmoid-with-biases")
        var network = c.network(BLAS.self)
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
        let result = c.network(BLAS.self).computeStep(inputs: c.inputs, targets: c.targets, learningRate: c.learningRate)
        #expect(abs(result.steps.weights[1][0, 0] - 0.0302) < 0.00005)
        #expect(abs(result.steps.weights[0][0, 0] - 0.00015) < 0.00001)
        #expect(abs(result.steps.weights[0][1, 0] - 0.00045) < 0.00001)
    }
}
