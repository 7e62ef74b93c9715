// main.swift: the libFuzzer target of the checkpoint reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Backprop
import ModelFiles
import Datasets
import Foundation
import FuzzSupport
import Linalg

// Checkpoint.decode on any bytes; a checkpoint it accepts is resumed (what `train --resume` does)
// for one more epoch on a tiny data set, which must not trip a precondition or touch memory out
// of bounds. Only the epoch count is changed, so a large one in the file cannot make a hang.
runFuzzer { data, size in
    guard var checkpoint = try? Checkpoint.decode(Data(bytes(data, size)), file: "fuzz.ckpt") else { return 0 }
    checkpoint.configuration.epochs = checkpoint.history.count + 1
    let inputs = checkpoint.layers[0].inputCount, outputs = checkpoint.layers[checkpoint.layers.count - 1].outputCount
    let labels = (0..<4).map { $0 % outputs }
    guard let set = try? Dataset(features: .doubles([Double](repeating: 0.5, count: 4 * inputs)), labels: labels,
                                 featureCount: inputs, classCount: outputs) else { return 0 }
    switch checkpoint.precision {
    case .float32: resume(checkpoint, Reference<Float>.self, on: set)
    case .float64: resume(checkpoint, Reference<Double>.self, on: set)
    }
    return 0
}

/// Resumes `checkpoint` in its own precision for its one remaining epoch on `set`.
func resume<B: LinearAlgebra>(_ checkpoint: Checkpoint, _ backend: B.Type, on set: Dataset) {
    guard let trainer = try? checkpoint.trainer(backend, file: "fuzz.ckpt") else { return }
    _ = try? trainer.train(training: set, validation: set, scaler: checkpoint.scaler)
}
