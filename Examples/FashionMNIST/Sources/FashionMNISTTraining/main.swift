// Trains 784-256-128-10 (ReLU, softmax) on Fashion-MNIST with Adam, dropout and a cosine
// schedule — the same run as `backprop train --save fashion-mnist.json` — then evaluates it
// on the 10,000 test images and saves it.
import Backprop
import ModelFiles
import Datasets

// OpenBLAS's AVX2/AVX-512 kernels where its own choice fell back to SSE3 (a processor newer than the
// build): starts this program again, once, with OPENBLAS_CORETYPE set, as `backprop` does.
OpenBLASKernels.restartWithBetterKernelsIfNeeded()

let (all, test) = try FashionMNIST.load()   // /usr/share/datasets/fashion-mnist (Debian: dataset-fashion-mnist)

// backprop train's default run: the library's defaults (30 epochs, patience 6) with these.
var configuration = TrainingConfiguration()
configuration.learningRate = 0.002
configuration.batchSize = 256
configuration.dropout = 0.2            // the library's default is none
configuration.validationFraction = 0   // all 60,000 images train; nothing is held out
configuration.threads = 2              // two slices of every batch, each with single-threaded OpenBLAS
configuration.seed = 1

// The input scaling is fitted on the training images only.
let scaler = FeatureScaler.fit(.standardize, on: all)

// The precision is picked with the backend: BLAS<Float> (cblas_s*, float32 kernels), as the tool's default;
// BLAS<Double> trains in float64.
var rng = SeededGenerator(seed: configuration.seed)
let network = try Network<BLAS<Float>>.make(sizes: [784, 256, 128, 10], hidden: .relu, output: .softmax,
                                     loss: .crossEntropy, using: &rng)
let trainer = try Trainer(network: network, optimizer: .adam, schedule: CosineDecay(epochs: configuration.epochs),
                          configuration: configuration)
try trainer.train(training: all, validation: nil, scaler: scaler, progress: { event in
    if case .epoch(let m) = event {
        print("epoch \(m.epoch)  loss \(m.trainingLoss)  learning rate \(m.learningRate)")
    }
})

let result = trainer.evaluate(test, scaler: scaler)  // on the trainer's threads
print("test accuracy \(result.accuracy)")
try SavedModel(network: trainer.network, scaler: scaler, classNames: FashionMNIST.classNames)
    .save(to: "fashion-mnist.json")
