import Datasets
import FuzzSupport

// NPYArray on any bytes: an array or a DatasetError; an array it accepts converts to doubles,
// bytes and (for integer dtypes) integers without trapping.
runFuzzer { data, size in
    guard let array = try? NPYArray(bytes(data, size), source: "fuzz.npy") else { return 0 }
    _ = array.doubles()
    _ = array.bytes()
    _ = try? array.integers(what: "values")
    return 0
}
