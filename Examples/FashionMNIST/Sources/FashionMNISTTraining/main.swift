// Trains 784-256-128-10 (ReLU, softmax) on Fashion-MNIST with Adam, dropout and a plateau
// schedule — the same run as `backprop train --save fashion-mnist.json` — then evaluates it
// on the 10,000 test images and saves it.
import Backprop
import Datasets

let (all, test) = try FashionMNIST.load()   // /usr/share/datasets/fashion-mnist (Debian: dataset-fashion-mnist)

var configuration = TrainingConfiguration()   // backprop train's defaults: 30 epochs, batch 128, η = 0.001,
                                              // patience 6, keeping the weights of the best validation accuracy
configuration.dropout = 0.3      // the command line's; the library's default is none
configuration.threads = 2        // two slices of every batch, each with single-threaded OpenBLAS
configuration.seed = 1

// Hold out 10% for validation; fit the input scaling on the rest only.
let (training, validation) = Trainer<BLAS<Float>>.split(all, validationFraction: 0.1, seed: configuration.seed)
let scaler = FeatureScaler.fit(.standardize, on: training)

// The precision is picked with the backend: BLAS<Float> (cblas_s*, float32 kernels), as the tool's default;
// BLAS<Double> trains in float64.
var rng = SeededGenerator(seed: configuration.seed)
let network = try Network<BLAS<Float>>.make(sizes: [784, 256, 128, 10], hidden: .relu, output: .softmax,
                                     loss: .crossEntropy, using: &rng)
let trainer = try Trainer(network: network, optimizer: Adam(), schedule: ReduceOnPlateau(),
                          configuration: configuration)
try trainer.train(training: training, validation: validation, scaler: scaler, progress: { event in
    if case .epoch(let m) = event {
        print("epoch \(m.epoch)  loss \(m.trainingLoss)  validation accuracy \(m.validationAccuracy ?? 0)")
    }
})

let result = trainer.network.evaluate(test, scaler: scaler)
print("test accuracy \(result.accuracy)")
try SavedModel(network: trainer.network, scaler: scaler, classNames: FashionMNIST.classNames)
    .save(to: "fashion-mnist.json")
