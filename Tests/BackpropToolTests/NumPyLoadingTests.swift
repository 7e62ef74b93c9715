// NumPyLoadingTests.swift: what `backprop train` says about how it reads NumPy data.
import Foundation
import Testing
import TestSupport

/// What `backprop train` says about how it reads NumPy data: nothing for features it reads in place
/// (a `.npy` file, a stored `.npz` member), one line on standard error, with the size, for a
/// compressed `.npz`, which it loads whole. Needs Python's numpy.
@Suite struct NumPyLoadingTests {
    @Test func aCompressedArchiveIsSaidToBeLoadedWholeAndAMappedFileIsNot() throws {
        try Python.require(["numpy"], install: "pip install numpy")
        let d = TestData.temporaryDirectory().path
        _ = try Python.run("""
            import sys
            import numpy as np
            x = np.arange(600, dtype=np.float32).reshape(200, 3) % 7
            y = (np.arange(200) % 2).astype(np.int64)
            np.save(sys.argv[1] + "/x.npy", x); np.save(sys.argv[1] + "/y.npy", y)
            np.savez(sys.argv[1] + "/stored.npz", x=x, y=y); np.savez_compressed(sys.argv[1] + "/packed.npz", x=x, y=y)
            """, [d])
        let options = ["--hidden", "4", "--epochs", "1", "--threads", "1"]
        let runs = [("x.npy", ["--data", "\(d)/x.npy", "--labels", "\(d)/y.npy"]), ("stored.npz", ["--data", "\(d)/stored.npz"]),
                    ("packed.npz", ["--data", "\(d)/packed.npz"])]
        for (name, data) in runs {
            let run = try Tool.run(["train"] + data + options)
            #expect(run.status == 0, "\(name): \(run.standardError)")
            #expect(run.standardOutput.contains("on 200 samples") && !run.standardOutput.contains("loaded whole"), "\(name): \(run.standardOutput)")
            // x.npy inside the archive: 128 bytes of header and 200 × 3 float32 values.
            let notice = "\(d)/packed.npz: array 'x' is compressed, so the data set is loaded whole into memory (2528 bytes (2.5 KiB) inflated; "
                + "store it uncompressed, with np.savez, to have it read in place)\n"
            #expect(run.standardError == (name == "packed.npz" ? notice : ""), "\(name): \(run.standardError)")
        }
    }
}
