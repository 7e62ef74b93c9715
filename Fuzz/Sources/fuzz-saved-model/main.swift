// main.swift: the libFuzzer target of the saved-model reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Backprop
import ModelFiles
import Foundation
import FuzzSupport
import Linalg

// SavedModel.decode on any bytes, JSON or safetensors (told apart by the content); a model it
// accepts must predict one sample, encode in JSON and in safetensors without tripping a
// precondition, and read back from its safetensors bytes as the same model.
runFuzzer { data, size in
    guard let model = try? SavedModel.decode(Data(bytes(data, size)), file: "fuzz.model") else { return 0 }
    _ = model.network(Reference<Double>.self).predict(Matrix(rows: 1, columns: model.inputCount))
    _ = model.encoded(.json)
    let again = try? SavedModel.decode(model.encoded(.safetensors), file: "fuzz.safetensors")
    precondition(again == model, "a model does not read back from its own safetensors bytes")
    return 0
}
