// main.swift: the libFuzzer target of the npy reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Datasets
import FuzzSupport

// NPYArray on any bytes, read into memory and mapped from a file: an array or a DatasetError; an
// array it accepts converts to doubles, bytes and (for integer dtypes) integers without trapping.
runFuzzer { data, size in
    let input = bytes(data, size)
    for array in [try? NPYArray(input, source: "fuzz.npy"), try? NPYArray(contentsOf: scratchFile("input.npy", input))] {
        guard let array else { continue }
        _ = array.doubles()
        _ = array.bytes()
        _ = try? array.integers(what: "values")
    }
    return 0
}
