// InterruptedRun.swift: a training run that saves a checkpoint every epoch and is stopped after a given epoch, as a killed run stops, for the resume tests.
import Backprop
import Datasets
import ModelFiles
import Testing

/// Thrown from the checkpoint hook to stop a run there.
struct Interrupted: Error {}

extension Trainer {
    /// Trains on `training` (validating on `validation`), saving a checkpoint (recording `run`) to
    /// `path` after every epoch, and stops the run after epoch `epochs`, once that epoch's checkpoint
    /// is written; expects the stop. Returns the checkpoint left at `path`.
    func trainInterrupted(training: Dataset, validation: Dataset?, scaler: FeatureScaler, stoppingAfter epochs: Int,
                          path: String, run: [String: String] = [:]) throws -> Checkpoint {
        #expect(throws: Interrupted.self) {
            try self.train(training: training, validation: validation, scaler: scaler, checkpoint: { trainer in
                try Checkpoint(trainer, scaler: scaler, run: run).save(to: path)
                if trainer.history.count == epochs { throw Interrupted() }
            })
        }
        return try Checkpoint.load(path: path)
    }
}
