// NetworkPropertyTests.swift: properties of the training step over generated networks and batches.
import Backprop
import Testing
import TestSupport

/// Properties of the training step over generated networks and batches.
@Suite struct NetworkPropertyTests {
    static let hidden: [Activation] = [.identity, .sigmoid, .tanh, .relu]
    static let outputs: [(Activation, Loss)] = [(.identity, .squaredError), (.sigmoid, .squaredError), (.tanh, .squaredError),
                                                (.softmax, .crossEntropy)]

    /// A random network of 1 to 3 layers with sizes 1 to 6, and a matching batch.
    static func generate(_ rng: inout SeededGenerator, batch: Int) throws -> (Network<BLAS<Double>>, Matrix<Double>, Matrix<Double>) {
        let depth = 1 + Int(rng.next() % 3)
        let sizes = (0...depth).map { _ in 1 + Int(rng.next() % 6) }
        let (output, loss) = outputs[Int(rng.next() % UInt64(outputs.count))]
        let network = try Network<BLAS<Double>>.make(sizes: sizes, hidden: hidden[Int(rng.next() % 4)], output: output, loss: loss,
                                             initializer: .glorot, bias: rng.next() % 2 == 0, using: &rng)
        let x = Matrix<Double>.randomNormal(rows: batch, columns: sizes[0], using: &rng)
        var t = Matrix<Double>.randomUniform(rows: batch, columns: sizes[depth], in: 0..<1, using: &rng)
        if loss == .crossEntropy {
            for i in 0..<batch { for j in 0..<sizes[depth] { t[i, j] = j == i % sizes[depth] ? 1 : 0 } }
        }
        return (network, x, t)
    }

    @Test func aStepWithLearningRateZeroChangesNothing() throws {
        var rng = SeededGenerator(seed: 31)
        for _ in 0..<100 {
            let (network, x, t) = try Self.generate(&rng, batch: 1 + Int(rng.next() % 5))
            var stepped = network
            stepped.step(inputs: x, targets: t, learningRate: 0)
            #expect(stepped == network)
        }
    }

    @Test func oneSampleRepeatedAsABatchGivesTheSingleSampleStep() throws {
        var rng = SeededGenerator(seed: 32)
        for _ in 0..<100 {
            let (network, x, t) = try Self.generate(&rng, batch: 1)
            let n = 2 + Int(rng.next() % 6)
            let xs = Matrix<Double>(rows: n, columns: x.columns, elements: Array((0..<n).map { _ in x.elements }.joined()))
            let ts = Matrix<Double>(rows: n, columns: t.columns, elements: Array((0..<n).map { _ in t.elements }.joined()))
            let single = network.computeStep(inputs: Matrix([x.elements]), targets: Matrix([t.elements]), learningRate: 0.3)
            let batch = network.computeStep(inputs: xs, targets: ts, learningRate: 0.3)
            #expect(Tolerance.vectors.accepts(batch.loss, single.loss))
            for l in network.layers.indices {
                #expect(Approximate.firstMismatch(batch.steps.weights[l], single.steps.weights[l], .vectors) == nil)
                if let b = single.steps.biases[l] {
                    #expect(Approximate.firstMismatch(batch.steps.biases[l]!, b, .vectors) == nil)
                }
            }
        }
    }

    @Test func theBatchStepIsTheMeanOfTheSampleSteps() throws {
        var rng = SeededGenerator(seed: 33)
        for _ in 0..<60 {
            let n = 2 + Int(rng.next() % 5)
            let (network, x, t) = try Self.generate(&rng, batch: n)
            let batch = network.computeStep(inputs: x, targets: t, learningRate: 0.5)
            var mean = ParameterArrays<Double>(zerosLike: network.layers)
            for i in 0..<n {
                let s = network.computeStep(inputs: Matrix([x.row(i)]), targets: Matrix([t.row(i)]), learningRate: 0.5)
                for l in network.layers.indices {
                    for k in mean.weights[l].elements.indices { mean.weights[l].elements[k] += s.steps.weights[l].elements[k] / Double(n) }
                }
            }
            for l in network.layers.indices {
                #expect(Approximate.firstMismatch(batch.steps.weights[l], mean.weights[l], Tolerance(absolute: 1e-14, relative: 1e-9)) == nil)
            }
        }
    }
}
