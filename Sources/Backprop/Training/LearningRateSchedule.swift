// LearningRateSchedule.swift: how the learning rate changes from epoch to epoch.
import Foundation

/// How the learning rate changes from epoch to epoch.
///
/// The trainer asks for the rate at the start of each epoch and reports the epoch's
/// monitored loss (validation loss, or training loss without a validation split) at its end.
/// State that changes (a plateau counter) lives in ``state`` so checkpoints can restore it.
/// To add a schedule, conform a type to this protocol.
public protocol LearningRateSchedule: Sendable {
    /// The name used on the command line and in checkpoints.
    var name: String { get }
    /// The rate for epoch `epoch` (0-based), given the base rate η₀.
    func learningRate(epoch: Int, base: Double) -> Double
    /// Called after each epoch with the monitored loss.
    mutating func endEpoch(monitoredLoss: Double)
    /// Numbers that describe where the schedule stands (empty for stateless schedules).
    var state: [Double] { get }
    /// Continues from saved `state`.
    mutating func restore(_ state: [Double])
}

extension LearningRateSchedule {
    public mutating func endEpoch(monitoredLoss: Double) {}
    public var state: [Double] { [] }
    public mutating func restore(_ state: [Double]) {}
}

/// η = η₀ throughout (the lesson's choice).
public struct ConstantRate: LearningRateSchedule {
    public let name = "constant"
    /// The constant schedule.
    public init() {}
    public func learningRate(epoch: Int, base: Double) -> Double { base }
}

/// η = η₀ · factor^⌊epoch / every⌋.
public struct StepDecay: LearningRateSchedule {
    public let name = "step"
    /// Epochs between reductions, and the factor each reduction multiplies by.
    public let every: Int, factor: Double
    /// Multiplies the rate by `factor` (> 0) every `every` (≥ 1) epochs.
    public init(every: Int = 10, factor: Double = 0.5) {
        precondition(every >= 1 && factor > 0, "StepDecay: every \(every) must be ≥ 1 and factor \(factor) > 0")
        self.every = every
        self.factor = factor
    }
    public func learningRate(epoch: Int, base: Double) -> Double {
        base * pow(factor, Double(epoch / every))
    }
}

/// η = η₀ · γ^epoch.
public struct ExponentialDecay: LearningRateSchedule {
    public let name = "exponential"
    /// The factor per epoch.
    public let gamma: Double
    /// Multiplies the rate by `gamma` (> 0) every epoch.
    public init(gamma: Double = 0.95) {
        precondition(gamma > 0, "ExponentialDecay: gamma \(gamma) must be > 0")
        self.gamma = gamma
    }
    public func learningRate(epoch: Int, base: Double) -> Double {
        base * pow(gamma, Double(epoch))
    }
}

/// Multiplies the rate by `factor` when the monitored loss has not improved by more than
/// `threshold` (relative) for `patience` epochs, down to `minimumScale`·η₀ (as PyTorch's ReduceLROnPlateau).
public struct ReduceOnPlateau: LearningRateSchedule {
    public let name = "plateau"
    /// The reduction factor, the epochs to wait, the relative improvement that counts, and the lowest scale of η₀.
    public let factor: Double, patience: Int, threshold: Double, minimumScale: Double
    var scale = 1.0, best = Double.infinity, badEpochs = 0.0

    /// A plateau schedule; needs 0 < `factor` < 1 and `patience` ≥ 0.
    public init(factor: Double = 0.5, patience: Int = 2, threshold: Double = 1e-4, minimumScale: Double = 1e-3) {
        precondition(factor > 0 && factor < 1 && patience >= 0, "ReduceOnPlateau: need 0 < factor < 1 and patience ≥ 0")
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.minimumScale = minimumScale
    }

    public func learningRate(epoch: Int, base: Double) -> Double { base * scale }

    public mutating func endEpoch(monitoredLoss: Double) {
        if monitoredLoss < best * (1 - threshold) {
            best = monitoredLoss
            badEpochs = 0
        } else {
            badEpochs += 1
            if badEpochs > Double(patience) {
                scale = max(scale * factor, minimumScale)
                badEpochs = 0
            }
        }
    }

    public var state: [Double] { [scale, best, badEpochs] }

    public mutating func restore(_ state: [Double]) {
        guard state.count == 3 else { return }
        (scale, best, badEpochs) = (state[0], state[1], state[2])
    }
}

/// η = η_min + (η₀ − η_min) · (1 + cos(π · epoch / epochs)) / 2: half a cosine from η₀ at the first
/// epoch down towards η_min (`minimumScale`·η₀) after the last (as PyTorch's CosineAnnealingLR with
/// `T_max` = epochs, stepped once an epoch).
///
/// The period is the run's epoch count, fixed when the schedule is made; it is the schedule's
/// ``state``, so a resumed run keeps the period it started with. Epochs past the period stay at η_min.
public struct CosineDecay: LearningRateSchedule {
    public let name = "cosine"
    /// The epochs over which the rate falls, and the lowest scale of η₀ it reaches.
    public private(set) var epochs: Int
    public let minimumScale: Double

    /// A cosine over `epochs` (≥ 1) epochs down to `minimumScale` (in [0, 1]) times η₀.
    public init(epochs: Int, minimumScale: Double = 0) {
        precondition(epochs >= 1 && minimumScale >= 0 && minimumScale <= 1,
                     "CosineDecay: epochs \(epochs) must be ≥ 1 and minimumScale \(minimumScale) in [0, 1]")
        self.epochs = epochs
        self.minimumScale = minimumScale
    }

    public func learningRate(epoch: Int, base: Double) -> Double {
        let progress = Double(min(epoch, epochs)) / Double(epochs)
        return base * (minimumScale + (1 - minimumScale) * (1 + cos(Double.pi * progress)) / 2)
    }

    public var state: [Double] { [Double(epochs)] }

    public mutating func restore(_ state: [Double]) {
        // A saved period outside 1...Int32.max is not a period this schedule could have had; keep ours.
        guard state.count == 1, let period = Int(exactly: state[0]), (1...Int(Int32.max)).contains(period) else { return }
        epochs = period
    }
}

/// The schedules by their command-line names, with default settings.
public enum LearningRateSchedules {
    /// Every name ``make(_:epochs:)`` knows, in the order the command line lists them.
    public static let names = ["constant", "step", "exponential", "plateau", "cosine"]

    /// The schedule whose ``LearningRateSchedule/name`` is `name`, with default settings, for a run
    /// of `epochs` (≥ 1) epochs (the cosine's period), or nil for an unknown name.
    public static func make(_ name: String, epochs: Int) -> (any LearningRateSchedule)? {
        switch name {
        case "constant": return ConstantRate()
        case "step": return StepDecay()
        case "exponential": return ExponentialDecay()
        case "plateau": return ReduceOnPlateau()
        case "cosine": return CosineDecay(epochs: max(1, epochs))
        default: return nil
        }
    }
}
