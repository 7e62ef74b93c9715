// main.swift: the libFuzzer target of the idx reader: any bytes give a value or a clear error, never a crash, hang or oversized allocation.
import Datasets
import FuzzSupport

// IDX.read on any file, raw or gzip (told apart by the content): a value or a DatasetError, never
// a crash, and never an allocation beyond what the header and the file size allow. (IDX.shape(of:)
// runs the same header checks, a subset of these.)
runFuzzer { data, size in
    _ = try? IDX.read(scratchFile("input.idx", bytes(data, size)))
    return 0
}
