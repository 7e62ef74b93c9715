// Trains a 2-8-1 network on noisy XOR: four clusters of points, label 1 where exactly one
// coordinate is high. Prints the loss as it falls, then the network's answers at the corners.
import Backprop
import Foundation

var rng = SeededGenerator(seed: 2024)

// 64 samples: each a corner of the unit square plus a little noise.
let corners: [([Double], Double)] = [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 0)]
var inputRows: [[Double]] = [], targetRows: [[Double]] = []
for i in 0..<64 {
    let (corner, label) = corners[i % 4]
    inputRows.append(corner.map { $0 + 0.1 * rng.nextNormal() })
    targetRows.append([label])
}
let inputs = Matrix<Double>(inputRows), targets = Matrix<Double>(targetRows)

// Weights fan_in × fan_out, drawn with the lesson's scale 1/√fan_in.
var network = try Network<BLAS<Double>>(
    layers: [
        Layer.dense(weights: .randomNormal(rows: 2, columns: 8, scale: 1 / 2.0.squareRoot(), using: &rng),
                   bias: [Double](repeating: 0, count: 8), activation: .tanh),
        Layer.dense(weights: .randomNormal(rows: 8, columns: 1, scale: 1 / 8.0.squareRoot(), using: &rng),
                   bias: [0], activation: .sigmoid),
    ],
    loss: .squaredError
)

var firstLoss = 0.0, lastLoss = 0.0
for step in 0...600 {
    // One full-batch gradient-descent step: W ← W − η·∂L/∂W, every product in BLAS.
    let result = network.step(inputs: inputs, targets: targets, learningRate: 2.0)
    if step == 0 { firstLoss = result.loss }
    lastLoss = result.loss
    if step % 100 == 0 {
        print("step \(step)\tloss \(result.loss)")
    }
}

let answers = network.predict(Matrix(corners.map { $0.0 }))
for (i, (corner, label)) in corners.enumerated() {
    print("xor\(corner.map { Int($0) }) = \(label) → \(answers[i, 0])")
}
guard lastLoss < firstLoss / 10 else {
    print("the loss did not fall tenfold: \(firstLoss) → \(lastLoss)")
    exit(1)
}
