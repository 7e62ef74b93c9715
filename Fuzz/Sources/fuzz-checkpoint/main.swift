import Backprop
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
    guard let trainer = try? checkpoint.trainer(Reference.self, file: "fuzz.ckpt") else { return 0 }
    let inputs = checkpoint.layers[0].fanIn, outputs = checkpoint.layers[checkpoint.layers.count - 1].fanOut
    let labels = (0..<4).map { $0 % outputs }
    guard let set = try? Dataset(features: .doubles([Double](repeating: 0.5, count: 4 * inputs)), labels: labels,
                                 featureCount: inputs, classCount: outputs) else { return 0 }
    _ = try? trainer.train(training: set, validation: set, scaler: checkpoint.scaler)
    return 0
}
