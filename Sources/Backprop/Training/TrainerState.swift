// TrainerState.swift: what changes during a run, so a checkpoint holding it continues the run exactly.
import Linalg

/// What changes during a run, so a checkpoint holding it continues the run exactly.
public struct TrainerState<Backend: LinearAlgebra>: Sendable {
    /// The current weights.
    public var network: Network<Backend>
    /// Drives the shuffles and dropout masks.
    public var rng: SeededGenerator
    /// One entry per finished epoch.
    public var history: [EpochMetrics] = []
    /// The best monitored loss so far, and the layers that had it (with a validation split).
    public var bestMonitored = Double.infinity
    /// The layers at the best monitored loss (kept only with a validation split); restored at the end.
    public var bestLayers: [Layer<Backend.Scalar>]?
    /// Epochs since the monitored loss last improved by more than the tolerance.
    public var epochsWithoutImprovement = 0
    /// Early stopping has ended the run.
    public var stopped = false

    /// The state before the first epoch.
    public init(network: Network<Backend>, rng: SeededGenerator) {
        self.network = network
        self.rng = rng
    }
}
