// main.swift: the libFuzzer target of the training-case reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Backprop
import ModelFiles
import Foundation
import FuzzSupport

// TrainingCase.parse on any bytes; a case it accepts must then run one step (what `backprop step`
// and `verify` do with it) without tripping a precondition.
runFuzzer { data, size in
    guard let c = try? TrainingCase.parse(Data(bytes(data, size)), file: "fuzz.json") else { return 0 }
    _ = c.network(Reference.self).computeStep(inputs: c.inputs, targets: c.targets, learningRate: c.learningRate)
    return 0
}
