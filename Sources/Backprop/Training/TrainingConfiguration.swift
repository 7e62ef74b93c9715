// TrainingConfiguration.swift: the plain-number settings of a training run (batch, epochs, dropout, seeds, stopping).
/// The settings of a training run that are plain numbers (the optimiser and the schedule are
/// passed to the ``Trainer`` as values of their own types).
///
/// The defaults are general ones. `backprop train` starts from them and sets its own for its
/// default Fashion-MNIST network (a larger batch and rate, dropout, no validation split, two
/// threads); `threads` stays 1 here because more threads switch OpenBLAS to one thread, a
/// process-wide change a library must not make unasked.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    /// Passes over the training samples.
    public var epochs = 30
    /// Samples per mini-batch (the last batch of an epoch may be smaller).
    public var batchSize = 128
    /// The base learning rate η₀ the schedule starts from.
    public var learningRate = 0.001
    /// Seeds the validation split, the shuffles and the dropout masks.
    public var seed: UInt64 = 1
    /// The fraction of the training samples held out to monitor (0 for none).
    public var validationFraction = 0.1
    /// Stop when the monitored loss (validation loss, or training loss without a validation split)
    /// has not improved by more than `tolerance` for this many epochs; nil runs every epoch.
    /// With a validation split, the best weights seen are restored at the end (early stopping).
    public var patience: Int? = 6
    /// What early stopping watches (and which weights it restores).
    public var monitor = Monitor.validationAccuracy
    /// The improvement that counts, as scikit-learn's `tol`: loss < best − tolerance.
    public var tolerance = 1e-4
    /// L2 weight decay λ: adds λ·W to ∂L/∂W (biases are not decayed).
    public var weightDecay = 0.0
    /// Dropout rates: one on every layer's output but the last (0 for none), or one per layer.
    public var dropout: DropoutRates = 0
    /// Threads that each compute the gradients of a slice of every batch (data parallelism);
    /// OpenBLAS itself then runs single-threaded, so the two levels do not compete.
    public var threads = 1
    /// The largest accepted `threads`: far beyond any machine's cores, and small enough that the
    /// per-thread bookkeeping sized by it stays tiny (a checkpoint's value is outside input).
    public static let maximumThreads = 1024
    /// Record the per-layer norms of ∂L/∂W every epoch (the vanishing-gradient view).
    public var logGradients = false

    /// The defaults above (Adam-friendly: η = 0.001, batch 128, 30 epochs, 10% validation, patience 6
    /// on the validation accuracy, no dropout, one thread).
    public init() {}

    /// The first setting that is out of range, described, or nil when all are usable.
    public var problem: String? {
        if epochs < 1 { return "epochs must be at least 1, got \(epochs)" }
        if batchSize < 1 { return "batch size must be at least 1, got \(batchSize)" }
        if !(learningRate > 0 && learningRate.isFinite) { return "learning rate must be a positive number, got \(learningRate)" }
        if !(validationFraction >= 0 && validationFraction < 1) { return "validation fraction must be in [0, 1), got \(validationFraction)" }
        if let patience, patience < 1 { return "patience must be at least 1, got \(patience)" }
        if !(tolerance >= 0) { return "tolerance must be ≥ 0, got \(tolerance)" }
        if !(weightDecay >= 0 && weightDecay.isFinite) { return "weight decay must be ≥ 0, got \(weightDecay)" }
        if let problem = dropout.problem() { return problem }
        if !(1...Self.maximumThreads).contains(threads) { return "threads must be in 1...\(Self.maximumThreads), got \(threads)" }
        return nil
    }
}

/// The figure early stopping watches; lower is better for each value returned.
public enum Monitor: String, Sendable, Equatable, Codable, CaseIterable {
    /// The validation loss (the training loss without a validation split).
    case validationLoss = "loss"
    /// The validation accuracy, as scikit-learn's MLPClassifier scores (the training loss without a validation split).
    case validationAccuracy = "accuracy"

    /// The watched figure of `metrics`, negated for accuracy so that lower is better.
    public func value(of metrics: EpochMetrics) -> Double {
        switch self {
        case .validationLoss: return metrics.validationLoss ?? metrics.trainingLoss
        case .validationAccuracy: return metrics.validationAccuracy.map { -$0 } ?? metrics.trainingLoss
        }
    }
}

/// What one epoch measured.
public struct EpochMetrics: Sendable, Equatable, Codable {
    /// 1-based.
    public var epoch: Int
    /// Mean of the batch losses over the epoch (with dropout active, as trained).
    public var trainingLoss: Double
    /// Mean loss on the validation split (nil without one), without dropout.
    public var validationLoss: Double?
    /// Fraction of the validation split classified correctly (nil without one).
    public var validationAccuracy: Double?
    /// The rate this epoch used.
    public var learningRate: Double
    /// Training samples per second of wall-clock time in the epoch's batches.
    public var samplesPerSecond: Double
    /// Wall-clock seconds of the epoch's batches.
    public var seconds: Double
    /// Per layer, the mean over the epoch's batches of ‖∂L/∂W_l‖ (when logging gradients).
    public var gradientNorms: [Double]?

    /// An epoch's figures, as the trainer records them.
    public init(epoch: Int, trainingLoss: Double, validationLoss: Double?, validationAccuracy: Double?, learningRate: Double,
                samplesPerSecond: Double, seconds: Double, gradientNorms: [Double]?) {
        self.epoch = epoch
        self.trainingLoss = trainingLoss
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.samplesPerSecond = samplesPerSecond
        self.seconds = seconds
        self.gradientNorms = gradientNorms
    }
}

/// What the trainer reports while it runs.
public enum TrainingEvent: Sendable {
    /// After each batch: 1-based epoch and batch, batches per epoch, that batch's loss, samples per
    /// second so far in the epoch, and seconds since the epoch began.
    case batch(epoch: Int, batch: Int, batches: Int, loss: Double, samplesPerSecond: Double, elapsed: Double)
    /// After each epoch.
    case epoch(EpochMetrics)
    /// A checkpoint was written.
    case checkpoint(path: String, epoch: Int)
}

/// Why training stopped with an error. Weights are left at their last finite values.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A setting is out of range (see ``TrainingConfiguration/problem``).
    case invalidConfiguration(String)
    /// The data's features, classes or scaler do not fit the network.
    case dataMismatch(String)
    /// A loss or gradient became NaN or infinite at this (1-based) epoch and batch; the step was not taken.
    case nonFinite(epoch: Int, batch: Int, what: String)
    /// The processes of a distributed run ended an epoch with different weights.
    case processesDiverged(epoch: Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let problem): return "invalid training configuration: \(problem)"
        case .dataMismatch(let problem): return "the data does not fit the network: \(problem)"
        case .nonFinite(let epoch, let batch, let what):
            return "training diverged at epoch \(epoch), batch \(batch): \(what) is not finite; the weights are left as they were before that batch (try a smaller learning rate)"
        case .processesDiverged(let epoch):
            return "the processes of the distributed run hold different weights after epoch \(epoch) (their all-reduce sums differed, or they started from different data or options)"
        }
    }
}
