// ChoosingAndCheckingBackendsTests.swift: the listings of `ChoosingAndCheckingBackends.md`, run.
import Backprop
import ModelFiles
import Foundation
import NumPyFormat
import Testing
import TestSupport

/// The listings of `ChoosingAndCheckingBackends.md`, run.
@Suite struct ChoosingAndCheckingBackendsTests {
    static let article = "Sources/Backprop/Backprop.docc/ChoosingAndCheckingBackends.md"

    @Test func choosingAndComparing() throws {
        let transcript = try Transcript.record {
            Transcript.current?.begin("compare-backends")
            // listing: compare-backends
            var rng = SeededGenerator(seed: 7)
            let fast = try Network<BLAS<Double>>.make(sizes: [20, 16, 8, 3], hidden: .tanh, output: .softmax,
                                              loss: .crossEntropy, using: &rng)
            let slow = fast.on(Reference<Double>.self)          // the same weights, computed with plain loops

            let inputs = Matrix<Double>.randomNormal(rows: 32, columns: 20, using: &rng)   // batch × inputCount
            var targets = Matrix<Double>(rows: 32, columns: 3)                            // one-hot classes
            for i in 0..<32 { targets[i, i % 3] = 1 }

            let a = fast.computeStep(inputs: inputs, targets: targets, learningRate: 0.1)
            let b = slow.computeStep(inputs: inputs, targets: targets, learningRate: 0.1)
            var largest = 0.0
            for l in a.steps.weights.indices {
                for (x, y) in zip(a.steps.weights[l].elements, b.steps.weights[l].elements) {
                    largest = max(largest, abs(x - y) / max(abs(y), 1e-12))
                }
            }
            print("largest relative difference below 1e-12:", largest < 1e-12)
            // end listing
            #expect(Approximate.isNontrivial(a.steps.weights[0].elements))

            Transcript.current?.begin("gradient-check")
            // listing: gradient-check
            let report = fast.gradientCheck(inputs: inputs, targets: targets)
            for (l, layer) in report.layers.enumerated() {
                print("layer", l, "checked", layer.checked, "of", layer.total, "worst below 1e-4:", layer.worst < 1e-4)
            }
            // end listing
            #expect(report.worst < 1e-4)
            #expect(report.layers.allSatisfy { $0.largestGradient > 1e-6 })
        }
        try ArticleCheck.outputs(of: transcript, article: Self.article, tests: #filePath)
    }

    @Test func addingABackend() throws {
        let transcript = try Transcript.record {
            Transcript.current?.begin("new-backend")
            // listing: new-backend
            /// A toy backend: BLAS, except that a product is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ.
            enum Transposing: LinearAlgebra {
                static var name: String { "transposing" }
                static func setThreadsPerCall(_ count: Int) { BLAS<Double>.setThreadsPerCall(count) }

                static func gemm(_ transA: Transpose, _ transB: Transpose, alpha: Double,
                                 _ a: Matrix<Double>, _ b: Matrix<Double>, beta: Double, into c: inout Matrix<Double>) {
                    var ct = c.transposed
                    BLAS<Double>.gemm(transB == .none ? .transpose : .none, transA == .none ? .transpose : .none,
                              alpha: alpha, b, a, beta: beta, into: &ct)
                    c = ct.transposed
                }
                static func gemv(_ transA: Transpose, alpha: Double, _ a: Matrix<Double>, _ x: UnsafeBufferPointer<Double>,
                                 beta: Double, into y: UnsafeMutableBufferPointer<Double>) {
                    BLAS<Double>.gemv(transA, alpha: alpha, a, x, beta: beta, into: y)
                }
                static func ger(alpha: Double, _ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>,
                                into a: inout Matrix<Double>) {
                    BLAS<Double>.ger(alpha: alpha, x, y, into: &a)
                }
                static func axpy(alpha: Double, _ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
                    BLAS<Double>.axpy(alpha: alpha, x, into: y)
                }
                static func scal(alpha: Double, _ x: inout [Double]) {
                    BLAS<Double>.scal(alpha: alpha, &x)
                }
                static func dot(_ x: [Double], _ y: [Double]) -> Double {
                    BLAS<Double>.dot(x, y)
                }
            }
            // end listing

            Transcript.current?.begin("check-new-backend")
            // listing: check-new-backend
            // 1. The test vectors (Tests/Vectors): every case's outputs, loss and steps.
            let files = try FileManager.default.contentsOfDirectory(atPath: vectors).filter { $0.hasSuffix(".json") }
            for file in files.sorted() {
                let testCase = try TrainingCase.load(path: vectors + "/" + file)
                let result = testCase.network(Transposing.self).computeStep(
                    inputs: testCase.inputs, targets: testCase.targets, learningRate: testCase.learningRate)
                print(testCase.firstMismatch(result) == nil ? "PASS" : "FAIL", testCase.name)
            }

            // 2. Finite differences, on a batch of four, so through the gemm path.
            var rng = SeededGenerator(seed: 3)
            let network = try Network<Transposing>.make(sizes: [6, 5, 4, 2], hidden: .sigmoid, output: .identity,
                                                        loss: .squaredError, using: &rng)
            let inputs = Matrix<Double>.randomNormal(rows: 4, columns: 6, using: &rng)
            let targets = Matrix<Double>.randomUniform(rows: 4, columns: 2, in: 0..<1, using: &rng)
            print("gradient check passes:", network.gradientCheck(inputs: inputs, targets: targets).worst < 1e-4)
            // end listing
        }
        try ArticleCheck.outputs(of: transcript, article: Self.article, tests: #filePath)
        #expect(!transcript.output("check-new-backend").contains("FAIL"))
    }

    /// Where the listing finds the test vectors.
    var vectors: String { TestData.vectorsDirectory.path }
}
