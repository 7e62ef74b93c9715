import Datasets
import FuzzSupport

// IDX.read on any file, raw or gzip (told apart by the content): a value or a DatasetError, never
// a crash, and never an allocation beyond what the header and the file size allow.
runFuzzer { data, size in
    let path = scratchFile("input.idx", bytes(data, size))
    _ = try? IDX.shape(of: path)
    _ = try? IDX.read(path)
    return 0
}
