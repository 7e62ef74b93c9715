// main.swift: the libFuzzer target of the idx-dataset reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Datasets
import FuzzSupport

// IDX.loadDataset on two files cut from one input: byte 0 is the length n of the labels file,
// the next n bytes are the labels file, the rest is the images file (each raw or gzip). A data set
// it accepts (raw images: mapped) is scaled and read back whole.
runFuzzer { data, size in
    let input = bytes(data, size)
    guard let n = input.first.map(Int.init), input.count > n else { return 0 }
    let labels = scratchFile("labels.idx", Array(input[1..<(1 + n)]))
    let images = scratchFile("images.idx", Array(input[(1 + n)...]))
    if let set = try? IDX.loadDataset(images: images, labels: labels) {
        _ = set.features(rows: 0..<set.count, scaler: FeatureScaler.fit(.standardize, on: set))
    }
    return 0
}
