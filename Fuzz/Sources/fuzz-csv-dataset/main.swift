// main.swift: the libFuzzer target of the csv-dataset reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Datasets
import FuzzSupport

// CSV.parseDataset (what CSV.loadDataset runs on a file's bytes). Byte 0 picks the options:
// bit 0 header, bits 1-2 label column, bits 3-4 separator, bits 5-7 class count (0: from the data).
runFuzzer { data, size in
    let input = bytes(data, size)
    guard let options = input.first else { return 0 }
    let labels: [CSV.LabelColumn] = [.last, .index(0), .index(2), .name("label")]
    let separators: [Unicode.Scalar] = [",", ";", "\t", " "]
    let classes = Int(options >> 5)
    _ = try? CSV.parseDataset(
        Array(input.dropFirst()), source: "fuzz.csv", hasHeader: options & 1 == 1,
        label: labels[Int(options >> 1) & 3], classCount: classes == 0 ? nil : classes,
        separator: separators[Int(options >> 3) & 3])
    return 0
}
