// InputShapeTests.swift: `train --layers` takes the image shape from IDX and `.npy` files, refuses an --input-shape that disagrees, and asks CSV rows for one.
import Foundation
import Testing
import TestSupport

/// Image layers read samples of the shape the data file gives (IDX N×H×W: 1×H×W; `.npy` N×H×W:
/// 1×H×W, N×C×H×W: C×H×W) without `--input-shape`; an `--input-shape` that disagrees names both
/// shapes; CSV rows need it. The files are written by NumPy (and the IDX file by `struct`).
///
/// The parameter counts are worked by hand for `conv 3 3x3, relu, flatten, dense 2, softmax`:
/// on 2×6×6, conv 3·2·9 + 3 = 57 → 3×4×4 = 48 → dense 48·2 + 2 = 98: 155 parameters;
/// on 1×6×6, conv 3·9 + 3 = 30 → 98: 128 parameters.
@Suite(.serialized) struct InputShapeTests {
    static let spec = ["--layers", "conv 3 3x3, relu, flatten, dense 2, softmax", "--epochs", "1", "--threads", "1"]

    /// x4.npy 20×2×6×6, x3.npy 20×6×6, y.npy 20 labels, i.idx 20×6×6 (uint8), l.idx, d.csv (36 features and a label).
    func files() throws -> String {
        try Python.require(["numpy"], install: "pip install numpy")
        let d = TestData.temporaryDirectory().path
        _ = try Python.run("""
            import struct, sys
            import numpy as np
            d = sys.argv[1]
            rng = np.random.default_rng(5)
            y = (np.arange(20) % 2).astype(np.int64)
            np.save(d + "/x4.npy", rng.random((20, 2, 6, 6), dtype=np.float32)); np.save(d + "/y.npy", y)
            np.save(d + "/x3.npy", rng.random((20, 6, 6)))
            pixels = rng.integers(0, 256, (20, 6, 6), dtype=np.uint8)
            open(d + "/i.idx", "wb").write(struct.pack(">BBBBIII", 0, 0, 8, 3, 20, 6, 6) + pixels.tobytes())
            open(d + "/l.idx", "wb").write(struct.pack(">BBBBI", 0, 0, 8, 1, 20) + y.astype(np.uint8).tobytes())
            np.savetxt(d + "/d.csv", np.column_stack([pixels.reshape(20, 36), y]), fmt="%d", delimiter=",")
            """, [d])
        return d
    }

    @Test func theDataGivesTheShape() throws {
        let d = try files()
        let runs: [([String], String)] = [
            (["--data", "\(d)/x4.npy", "--labels", "\(d)/y.npy"], "155 parameters"),
            (["--data", "\(d)/x3.npy", "--labels", "\(d)/y.npy"], "128 parameters"),
            (["--data", "\(d)/i.idx", "--labels", "\(d)/l.idx"], "128 parameters"),
            (["--data", "\(d)/x4.npy", "--labels", "\(d)/y.npy", "--input-shape", "2x6x6"], "155 parameters"),
            (["--data", "\(d)/d.csv", "--no-header", "--input-shape", "1x6x6"], "128 parameters"),
        ]
        for (data, parameters) in runs {
            let run = try Tool.run(["train"] + data + Self.spec)
            #expect(run.status == 0, "\(data): \(run.standardError)")
            #expect(run.standardOutput.contains(parameters) && run.standardOutput.contains("epoch 1/1"), "\(data): \(run.standardOutput)")
        }
    }

    @Test func aDisagreeingShapeOrNoneIsAnErrorBeforeTraining() throws {
        let d = try files()
        let runs: [([String], String)] = [
            (["--data", "\(d)/x4.npy", "--labels", "\(d)/y.npy", "--input-shape", "1x6x12"],
             "--input-shape 1x6x12 does not match the data: \(d)/x4.npy + \(d)/y.npy holds samples of 2x6x6"),
            (["--data", "\(d)/i.idx", "--labels", "\(d)/l.idx", "--input-shape", "1x4x9"],
             "--input-shape 1x4x9 does not match the data: \(d)/i.idx + \(d)/l.idx holds samples of 1x6x6"),
            (["--data", "\(d)/d.csv", "--no-header"],
             "--layers: its image layers need the shape of a sample, and \(d)/d.csv does not give one (it has 36 features a sample): give --input-shape CxHxW"),
        ]
        for (data, message) in runs {
            let run = try Tool.run(["train"] + data + Self.spec)
            #expect(run.status != 0, "\(data)")
            #expect(run.standardError.contains(message), "\(data): \(run.standardError)")
            #expect(!run.standardOutput.contains("epoch 1/1"), "no training ran")
        }
    }
}
