// main.swift: the libFuzzer target of the csv-features reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Datasets
import FuzzSupport

// CSV.parseFeatures (what CSV.loadFeatures runs on a file's bytes). Byte 0 picks the options:
// bit 0 header, bits 1-2 dropped column (none, last, index 0, name "label"), bits 3-4 separator.
runFuzzer { data, size in
    let input = bytes(data, size)
    guard let options = input.first else { return 0 }
    let dropped: [CSV.LabelColumn?] = [nil, .last, .index(0), .name("label")]
    let separators: [Unicode.Scalar] = [",", ";", "\t", " "]
    _ = try? CSV.parseFeatures(
        Array(input.dropFirst()), source: "fuzz.csv", hasHeader: options & 1 == 1,
        dropping: dropped[Int(options >> 1) & 3], separator: separators[Int(options >> 3) & 3])
    return 0
}
