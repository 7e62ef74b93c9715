// main.swift: the libFuzzer target of the saved-model reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Backprop
import ModelFiles
import Foundation
import FuzzSupport
import Linalg

// SavedModel.decode on any bytes, JSON or safetensors (told apart by the content); a model it
// accepts must predict one sample and encode in JSON, and in safetensors when its kinds allow,
// without tripping a precondition.
runFuzzer { data, size in
    guard let model = try? SavedModel.decode(Data(bytes(data, size)), file: "fuzz.model") else { return 0 }
    _ = model.network(Reference<Double>.self).predict(Matrix(rows: 1, columns: model.inputCount))
    _ = model.encoded(.json)
    if model.denseOnly("safetensors") == nil { _ = model.encoded(.safetensors) }  // Other kinds are refused by save.
    return 0
}
