// TensorBoardLog.swift: where `train` writes TensorBoard event files.
import ArgumentParser
import Backprop
import Datasets
import Foundation
import TensorBoard

/// Where `train` writes TensorBoard event files.
struct TensorBoardOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write TensorBoard event files under DIR, one run per subfolder (view with `tensorboard --logdir DIR`).",
                               valueName: "DIR"))
    var logDir: String?

    @Option(help: ArgumentHelp("The run's subfolder of --log-dir (default: the start time and the seed, e.g. 20261201-224500-seed1).",
                               valueName: "NAME"))
    var runName: String?

    func validate() throws {
        if let runName, runName.isEmpty || runName.contains("/") || runName == "." || runName == ".." {
            throw ValidationError("--run-name \(runName): a run name is one folder name (no '/')")
        }
        if runName != nil && logDir == nil { throw ValidationError("--run-name needs --log-dir") }
    }

    /// The run's folder: `logDir/runName`, or `logDir/<UTC time>-seed<seed>`.
    func folder(seed: UInt64, now: Date = Date()) -> String? {
        guard let logDir else { return nil }
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyyMMdd-HHmmss"
        let name = runName ?? "\(format.string(from: now))-seed\(seed)"
        return URL(fileURLWithPath: logDir).appendingPathComponent(name).path
    }
}

/// A training run's figures as TensorBoard scalars, written as the run goes (step = epoch).
///
/// Per epoch: `loss/training` (the mean batch loss, dropout on), `accuracy/training` (the epoch's
/// final weights on the training split, dropout off: one extra forward pass, on the trainer's
/// threads), `loss/validation`, `accuracy/validation`, `learning_rate`, and with `--log-gradients`
/// `gradient_norm/layer_<l>` (mean ‖∂L/∂W_l‖). At the end: `loss/test` and `accuracy/test` at the last epoch's step.
final class TensorBoardLog {
    let writer: EventFileWriter
    let folder: String

    init(folder: String) throws {
        self.folder = folder
        do {
            writer = try EventFileWriter(folder: folder)
        } catch {
            throw ValidationError("--log-dir: cannot write event files in \(folder): \(error.localizedDescription)")
        }
    }

    /// Logs an epoch's report, with the accuracy of the epoch's final weights on the training split.
    func epoch(_ m: EpochMetrics, trainingAccuracy: Double) throws {
        let step = m.epoch
        try writer.scalar("loss/training", m.trainingLoss, step: step)
        try writer.scalar("accuracy/training", trainingAccuracy, step: step)
        if let v = m.validationLoss { try writer.scalar("loss/validation", v, step: step) }
        if let v = m.validationAccuracy { try writer.scalar("accuracy/validation", v, step: step) }
        try writer.scalar("learning_rate", m.learningRate, step: step)
        for (l, norm) in (m.gradientNorms ?? []).enumerated() { try writer.scalar("gradient_norm/layer_\(l)", norm, step: step) }
    }

    /// Logs the test set's loss and accuracy at `step`.
    func test(loss: Double, accuracy: Double, step: Int) throws {
        try writer.scalar("loss/test", loss, step: step)
        try writer.scalar("accuracy/test", accuracy, step: step)
    }
}
