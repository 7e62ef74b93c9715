// main.swift: the libFuzzer target of the npz reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Datasets
import FuzzSupport

// NumPy.loadDataset and NumPy.loadFeatures on any bytes as a .npz file (arrays x and y). A data set
// it accepts (stored members: mapped) is scaled and read back whole.
runFuzzer { data, size in
    let path = scratchFile("data.npz", bytes(data, size))
    if let set = try? NumPy.loadDataset(npz: path) {
        _ = set.features(rows: 0..<set.count, scaler: FeatureScaler.fit(.standardize, on: set))
    }
    _ = try? NumPy.loadFeatures(path)
    return 0
}
