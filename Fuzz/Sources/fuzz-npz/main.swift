import Datasets
import FuzzSupport

// NumPy.loadDataset and NumPy.loadFeatures on any bytes as a .npz file (arrays x and y).
runFuzzer { data, size in
    let path = scratchFile("data.npz", bytes(data, size))
    _ = try? NumPy.loadDataset(npz: path)
    _ = try? NumPy.loadFeatures(path)
    return 0
}
