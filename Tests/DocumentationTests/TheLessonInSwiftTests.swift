// TheLessonInSwiftTests.swift: the listings of TheLessonInSwift.md, run, with the lesson's numbers as the lesson rounds them.
import Backprop
import Datasets
import Foundation
import NumPyFormat
import Testing
import TestSupport

/// The listings of `TheLessonInSwift.md`, run, with the lesson's numbers checked as the lesson
/// rounds them (not against this package's own output).
@Suite struct TheLessonInSwiftTests {
    static let article = "Sources/Backprop/Backprop.docc/TheLessonInSwift.md"

    /// `x` rounded to `places` decimals, as the lesson rounds its figures.
    func lesson(_ x: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (x * scale).rounded() / scale
    }

    @Test func workedExample() throws {
        let transcript = try Transcript.record {
            Transcript.current?.begin("worked-example-forward")
            // listing: worked-example-forward
            let x = [0.1, 0.3]                                 // one sample: a row of two inputs
            let target = 1.0
            let learnRate = 0.5
            let weightsInputHidden = Matrix<Double>([[0.4], [-0.2]])   // fan_in × fan_out = 2 × 1
            let weightsHiddenOutput = Matrix<Double>([[0.1]])          // 1 × 1

            // h = x·W. x is a row, so BLAS computes Wᵀ·x: dgemv, transposed.
            var h = [0.0]
            BLAS<Double>.gemv(.transpose, alpha: 1, weightsInputHidden, x, beta: 0, into: &h)
            let a = h.map(Activation.sigmoid)

            var outputIn = [0.0]
            BLAS<Double>.gemv(.transpose, alpha: 1, weightsHiddenOutput, a, beta: 0, into: &outputIn)
            let output = Activation.sigmoid(outputIn[0])       // ŷ

            print("h =", NumPyFormat.string(h))
            print("a =", NumPyFormat.string(a))
            print("ŷ =", NumPyFormat.string([output]))
            // end listing
            #expect(lesson(h[0], 2) == -0.02)
            #expect(lesson(a[0], 3) == 0.495)
            #expect(lesson(output, 3) == 0.512)

            Transcript.current?.begin("worked-example-backward")
            // listing: worked-example-backward
            let error = target - output
            let outputErrorTerm = error * output * (1 - output)   // δ_o = (y − ŷ)·ŷ·(1 − ŷ)

            // δ_h = (W_ho·δ_o) ⊙ a ⊙ (1 − a); W_ho·δ_o is dgemv without transpose.
            var hiddenErrorTerm = [0.0]
            BLAS<Double>.gemv(.none, alpha: 1, weightsHiddenOutput, [outputErrorTerm], beta: 0, into: &hiddenErrorTerm)
            for j in hiddenErrorTerm.indices { hiddenErrorTerm[j] *= a[j] * (1 - a[j]) }

            print("δ_o =", NumPyFormat.string([outputErrorTerm]))
            print("δ_h =", NumPyFormat.string(hiddenErrorTerm))
            // end listing
            #expect(lesson(outputErrorTerm, 3) == 0.122)
            #expect(lesson(hiddenErrorTerm[0], 3) == 0.003)

            Transcript.current?.begin("worked-example-steps")
            // listing: worked-example-steps
            // Δw_ij = η·x_i·δ_j is an outer product: dger adds it to a matrix of zeros.
            var deltaHiddenOutput = Matrix<Double>(rows: 1, columns: 1)
            BLAS<Double>.ger(alpha: learnRate, a, [outputErrorTerm], into: &deltaHiddenOutput)
            var deltaInputHidden = Matrix<Double>(rows: 2, columns: 1)
            BLAS<Double>.ger(alpha: learnRate, x, hiddenErrorTerm, into: &deltaInputHidden)

            print("ΔW_ho =", NumPyFormat.string(deltaHiddenOutput.elements))
            print("Δw_ih =", NumPyFormat.string(deltaInputHidden.elements))
            // end listing
            #expect(lesson(deltaHiddenOutput[0, 0], 4) == 0.0302)
            #expect(lesson(deltaInputHidden[0, 0], 5) == 0.00015)
            // The lesson's 0.00045 is 0.5 × 0.003 × 0.3, made from δ_h already rounded to 0.003;
            // unrounded, the step is 0.000457. Check the lesson's arithmetic, and that ours is within
            // what rounding δ_h to three decimals can move it (0.5 × 0.0005 × 0.3).
            #expect(lesson(learnRate * lesson(hiddenErrorTerm[0], 3) * x[1], 5) == 0.00045)
            #expect(abs(deltaInputHidden[1, 0] - 0.00045) <= learnRate * 0.0005 * x[1])

            Transcript.current?.begin("worked-example-library")
            // listing: worked-example-library
            let example = Lesson.workedExample
            let network = example.network(BLAS<Double>.self)
            let result = network.computeStep(inputs: example.inputs, targets: example.targets,
                                             learningRate: example.learningRate)
            print("ŷ =", NumPyFormat.string(result.outputs.elements))
            print("ΔW_ho =", NumPyFormat.string(result.steps.weights[1].elements))
            print("Δw_ih =", NumPyFormat.string(result.steps.weights[0].elements))
            // end listing
            // The hand-written step and the library's agree, and both agree with the test vector.
            let tolerance = Tolerance.vectors
            #expect(tolerance.accepts(result.outputs[0, 0], output))
            #expect(Approximate.firstMismatch(result.steps.weights[1], deltaHiddenOutput, tolerance) == nil)
            #expect(Approximate.firstMismatch(result.steps.weights[0], deltaInputHidden, tolerance) == nil)
            let vector = try TestData.vectorCase("seed-example")
            #expect(vector.firstMismatch(result) == nil)
            #expect(Approximate.isNontrivial(deltaInputHidden.elements))
        }
        try ArticleCheck.outputs(of: transcript, article: Self.article, tests: #filePath)
    }

    @Test func quiz() throws {
        let transcript = Transcript.record {
            Transcript.current?.begin("quiz")
            // listing: quiz
            let quiz = Lesson.quiz                     // x = [0.5, 0.1, −0.2], target 0.6, η = 0.5
            let result = quiz.network(BLAS<Double>.self).computeStep(inputs: quiz.inputs, targets: quiz.targets,
                                                             learningRate: quiz.learningRate)
            let hiddenOutput = result.steps.weights[1]  // 2 × 1
            let inputHidden = result.steps.weights[0]   // 3 × 2
            print("Change in weights for hidden layer to output layer:")
            print(NumPyFormat.string(hiddenOutput.elements))
            print("Change in weights for input layer to hidden layer:")
            print(NumPyFormat.string(inputHidden.elements, shape: [inputHidden.rows, inputHidden.columns]))
            // end listing
        }
        // What `python3 quiz_solution.py` prints (the lesson's solution, run with NumPy).
        #expect(transcript.output("quiz") == """
            Change in weights for hidden layer to output layer:
            [0.00804047 0.00555918]
            Change in weights for input layer to hidden layer:
            [[ 1.77005547e-04 -5.11178506e-04]
             [ 3.54011093e-05 -1.02235701e-04]
             [-7.08022187e-05  2.04471402e-04]]

            """)
        try ArticleCheck.outputs(of: transcript, article: Self.article, tests: #filePath)
    }

    @Test func batchedStep() throws {
        let transcript = Transcript.record {
            Transcript.current?.begin("batch-gemm")
            // listing: batch-gemm
            // Three samples, one a row: X is batch × fan_in, T is batch × fan_out.
            let X = Matrix<Double>([[0.5, 0.1, -0.2], [0.1, 0.3, 0.2], [-0.4, 0.2, 0.6]])
            let T = Matrix<Double>([[0.6], [0.2], [0.9]])
            let W1 = Lesson.quiz.layers[0].weights   // 3 × 2
            let W2 = Lesson.quiz.layers[1].weights   // 2 × 1
            let eta = 0.5, n = Double(X.rows)

            // Forward for all samples at once: H = X·W (dgemm), A = σ(H).
            var H1 = Matrix<Double>(rows: 3, columns: 2), A1 = Matrix<Double>(rows: 3, columns: 2)
            BLAS<Double>.gemm(.none, .none, alpha: 1, X, W1, beta: 0, into: &H1)
            Activation.sigmoid.apply(H1, into: &A1)
            var H2 = Matrix<Double>(rows: 3, columns: 1), Y = Matrix<Double>(rows: 3, columns: 1)
            BLAS<Double>.gemm(.none, .none, alpha: 1, A1, W2, beta: 0, into: &H2)
            Activation.sigmoid.apply(H2, into: &Y)

            // Error terms, a row per sample: Δ2 = (T − Y) ⊙ Y(1 − Y), Δ1 = (Δ2·W2ᵀ) ⊙ A1(1 − A1).
            var D2 = Matrix<Double>(rows: 3, columns: 1), D1 = Matrix<Double>(rows: 3, columns: 2)
            Loss.squaredError.outputErrorTerms(outputs: Y, targets: T, into: &D2)
            Activation.sigmoid.multiplyDerivative(into: &D2, preActivations: H2, activations: Y)
            BLAS<Double>.gemm(.none, .transpose, alpha: 1, D2, W2, beta: 0, into: &D1)
            Activation.sigmoid.multiplyDerivative(into: &D1, preActivations: H1, activations: A1)

            // Steps for the batch-mean loss: ΔW = (η/n)·Aᵀ·Δ, dgemm with the first operand transposed.
            var step2 = Matrix<Double>(rows: 2, columns: 1), step1 = Matrix<Double>(rows: 3, columns: 2)
            BLAS<Double>.gemm(.transpose, .none, alpha: eta / n, A1, D2, beta: 0, into: &step2)
            BLAS<Double>.gemm(.transpose, .none, alpha: eta / n, X, D1, beta: 0, into: &step1)
            print(NumPyFormat.string(step2.elements, shape: [2, 1]))
            print(NumPyFormat.string(step1.elements, shape: [3, 2]))
            // end listing

            Transcript.current?.begin("batch-library")
            // listing: batch-library
            let network = Lesson.quiz.network(BLAS<Double>.self)
            let batched = network.computeStep(inputs: X, targets: T, learningRate: eta)

            // The lesson's single-sample step (dgemv, dger) for each row, as a batch of one, averaged with daxpy.
            var mean = Matrix<Double>(rows: 3, columns: 2)
            for i in 0..<X.rows {
                let one = network.computeStep(inputs: Matrix([X.row(i)]), targets: Matrix([T.row(i)]), learningRate: eta)
                BLAS<Double>.axpy(alpha: 1 / n, one.steps.weights[0].elements, into: &mean.elements)
            }
            print(NumPyFormat.string(batched.steps.weights[0].elements, shape: [3, 2]))
            print(NumPyFormat.string(mean.elements, shape: [3, 2]))
            // end listing
            let tolerance = Approximate.backends(sumLength: 3)
            #expect(Approximate.firstMismatch(batched.steps.weights[0], step1, tolerance) == nil)
            #expect(Approximate.firstMismatch(batched.steps.weights[1], step2, tolerance) == nil)
            #expect(Approximate.firstMismatch(mean, step1, tolerance) == nil)
            #expect(Approximate.isNontrivial(step1.elements))
            // The Reference backend's loops give the same step.
            let reference = network.on(Reference<Double>.self).computeStep(inputs: X, targets: T, learningRate: eta)
            #expect(Approximate.firstMismatch(reference.steps.weights[0], step1, tolerance) == nil)
        }
        try ArticleCheck.outputs(of: transcript, article: Self.article, tests: #filePath)
    }

    @Test func trainingRun() throws {
        let transcript = try Transcript.record {
            Transcript.current?.begin("training")
            // listing: training (output not compared: it is one run's, and a different CPU kernel may change the last digits)
            let (train, test) = try FashionMNIST.load()   // /usr/share/datasets/fashion-mnist
            let training = train.subset(Array(0..<10_000))
            let scaler = FeatureScaler.fit(.unitRange, on: training)

            // The lesson's network, wider: 784 inputs, 64 sigmoid hidden units, 10 softmax outputs.
            var rng = SeededGenerator(seed: 1)
            let network = try Network<BLAS<Double>>.make(sizes: [784, 64, 10], hidden: .sigmoid, output: .softmax,
                                                 loss: .crossEntropy, using: &rng)
            var configuration = TrainingConfiguration()
            configuration.epochs = 5
            configuration.batchSize = 32
            configuration.learningRate = 0.5              // the lesson's η, on plain gradient descent

            let trainer = try Trainer(network: network, optimizer: .gradientDescent, configuration: configuration)
            try trainer.train(training: training, validation: nil, scaler: scaler, progress: { event in
                if case .epoch(let metrics) = event {
                    print("epoch", metrics.epoch, "loss", String(format: "%.4f", metrics.trainingLoss))
                }
            })
            let evaluation = trainer.network.evaluate(test, scaler: scaler)
            print("test accuracy", String(format: "%.2f%%", 100 * evaluation.accuracy), "on", test.count, "images")
            // end listing
            #expect(trainer.history.count == 5)
            #expect(trainer.history[4].trainingLoss < trainer.history[0].trainingLoss)
            #expect(evaluation.accuracy > 0.75)
        }
        try ArticleCheck.outputs(of: transcript, article: Self.article, tests: #filePath)
    }
}
