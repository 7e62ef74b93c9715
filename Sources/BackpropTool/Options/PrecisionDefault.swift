// PrecisionDefault.swift: each command's precision when --precision is not given, in one table.
import Backprop
import ModelFiles

/// The precision each command computes in when `--precision` is not given.
enum PrecisionDefault {
    /// `train`: float32, as fast again as float64 at the same accuracy (the README's "Precision").
    static let train = Precision.float32
    /// `step`, `verify` and `gradcheck`: float64, the precision the test vectors are written in.
    static let checks = Precision.float64
    /// `predict`, `evaluate` and `export`: the precision the model was trained in.
    static func ofModel(_ model: SavedModel) -> Precision { model.precision }
}
