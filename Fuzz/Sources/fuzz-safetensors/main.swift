// main.swift: the libFuzzer target of the safetensors reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Backprop
import ModelFiles
import Foundation
import FuzzSupport

// SafeTensors.decode on any bytes: a container or a FileFormatError; a container it accepts
// encodes again without tripping a precondition.
runFuzzer { data, size in
    guard let container = try? SafeTensors.decode(Data(bytes(data, size)), file: "fuzz.safetensors") else { return 0 }
    if container.tensors["__metadata__"] == nil { _ = container.encoded() }
    return 0
}
