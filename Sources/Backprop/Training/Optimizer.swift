// Optimizer.swift: a rule that turns gradients ∂L/∂θ into a change of the parameters θ, with its settings.
import Foundation
import Kernels
import Linalg

/// A rule that turns gradients ∂L/∂θ into a change of the parameters θ, with its settings.
///
/// The rules form one closed list, so the trainer's per-batch update is a `switch` into each rule's
/// own code, specialised for the network's precision, rather than a dynamic call. Their per-parameter
/// state (velocities, moment estimates) is an ``OptimizerSlots`` in the network's precision, which
/// the trainer holds and checkpoints save (as an ``OptimizerState``). To add a rule: a case here,
/// its branch in ``update(_:gradients:learningRate:slots:split:)`` and, for speed, its element-wise
/// kernel in `Kernels` (as ``ParallelElementwise`` runs Adam's and momentum's).
public enum Optimizer: Sendable, Equatable {
    /// The lesson's plain gradient descent: θ ← θ − η·g.
    case gradientDescent
    /// Heavy-ball momentum μ in [0, 1): v ← μ·v − η·g, θ ← θ + v; with `nesterov`, θ ← θ + μ·v − η·g
    /// (the look-ahead form, as in scikit-learn and PyTorch). Velocities start at zero.
    case momentum(Double, nesterov: Bool)
    /// Adam (Kingma & Ba): bias-corrected first and second moment estimates with decays β1 and β2,
    /// θ ← θ − η·m̂ / (√v̂ + ε). Moments start at zero.
    case adam(beta1: Double, beta2: Double, epsilon: Double)

    /// Momentum 0.9, heavy-ball.
    public static let momentum = Optimizer.momentum(0.9, nesterov: false)
    /// Momentum 0.9, Nesterov's form.
    public static let nesterov = Optimizer.momentum(0.9, nesterov: true)
    /// Adam with the paper's defaults: β1 = 0.9, β2 = 0.999, ε = 1e-8.
    public static let adam = Optimizer.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)

    /// The names ``init(name:)`` knows, as the command line's `--optimizer` takes them.
    public static let names = ["sgd", "momentum", "nesterov", "adam"]

    /// The optimiser called `name` with its default settings, or nil for an unknown name.
    public init?(name: String) {
        switch name {
        case "sgd": self = .gradientDescent
        case "momentum": self = .momentum
        case "nesterov": self = .nesterov
        case "adam": self = .adam
        default: return nil
        }
    }

    /// The name used on the command line and in checkpoints ("sgd", "momentum", "nesterov", "adam").
    public var name: String {
        switch self {
        case .gradientDescent: "sgd"
        case .momentum(_, let nesterov): nesterov ? "nesterov" : "momentum"
        case .adam: "adam"
        }
    }

    /// Why the settings are unusable, or nil.
    var problem: String? {
        switch self {
        case .gradientDescent: nil
        case .momentum(let mu, _): mu >= 0 && mu < 1 ? nil : "momentum \(mu) must be in [0, 1)"
        case .adam(let b1, let b2, let eps):
            b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1 && eps > 0 ? nil : "Adam needs 0 ≤ β1, β2 < 1 and ε > 0, got \(b1), \(b2), \(eps)"
        }
    }

    /// The slots the rule keeps per parameter array.
    @usableFromInline
    var slotNames: [String] {
        switch self {
        case .gradientDescent: Self.noSlots
        case .momentum: Self.momentumSlots
        case .adam: Self.adamSlots
        }
    }
    // Made once: an array literal in the update would allocate on every step.
    private static let noSlots: [String] = [], momentumSlots = ["velocity"], adamSlots = ["m", "v"]

    /// One update of `network` for `gradients` (∂L/∂θ, shaped like its parameters) at `learningRate`,
    /// advancing `slots` (sized on first use), with the element-wise work split by `split`.
    /// Allocates nothing after the first call. Inlinable, so that a training loop of its own
    /// (outside this module) runs it specialised for its backend rather than as generic code.
    @inlinable
    public func update<B: LinearAlgebra>(_ network: inout Network<B>, gradients: ParameterArrays<B.Scalar>, learningRate: Double,
                                         slots: inout OptimizerSlots<B.Scalar>, split: ParallelElementwise<B.Scalar>) {
        slots.beginUpdate(slotNames, for: network)
        switch self {
        case .gradientDescent:
            let w = B.Scalar(-learningRate)
            network.updateParameters(with: gradients) { _, theta, g in
                theta.withUnsafeMutableBufferPointer { theta in
                    g.withUnsafeBufferPointer { g in
                        guard let tp = theta.baseAddress, let gp = g.baseAddress else { return }
                        split.run(.addScaled(y: tp, x: gp, w: w), count: theta.count)
                    }
                }
            }
        case .momentum(let momentum, let nesterov):
            let (mu, eta) = (B.Scalar(momentum), B.Scalar(learningRate))
            network.updateParameters(with: gradients) { k, theta, g in
                slots.arrays[0][k].withUnsafeMutableBufferPointer { v in
                    theta.withUnsafeMutableBufferPointer { theta in
                        g.withUnsafeBufferPointer { g in
                            guard let tp = theta.baseAddress, let gp = g.baseAddress, let vp = v.baseAddress else { return }
                            split.run(.momentum(theta: tp, g: gp, v: vp, mu: mu, eta: eta, nesterov: nesterov), count: theta.count)
                        }
                    }
                }
            }
        case .adam(let beta1, let beta2, let epsilon):
            // Fold the bias corrections into constants: m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), computed in
            // Double and rounded once to the network's precision.
            let t = Double(slots.step)
            let stepSize = B.Scalar(learningRate / (1 - pow(beta1, t))), inverseCorrection2 = B.Scalar(1 / (1 - pow(beta2, t)))
            let (b1, b2, eps) = (B.Scalar(beta1), B.Scalar(beta2), B.Scalar(epsilon))
            var (first, second): ([[B.Scalar]], [[B.Scalar]]) = ([], [])  // The two slots, moved out (no copy) and back.
            swap(&first, &slots.arrays[0])
            swap(&second, &slots.arrays[1])
            defer {
                swap(&first, &slots.arrays[0])
                swap(&second, &slots.arrays[1])
            }
            network.updateParameters(with: gradients) { k, theta, g in
                first[k].withUnsafeMutableBufferPointer { m in
                    second[k].withUnsafeMutableBufferPointer { v in
                        theta.withUnsafeMutableBufferPointer { theta in
                            g.withUnsafeBufferPointer { g in
                                guard let tp = theta.baseAddress, let gp = g.baseAddress, let mp = m.baseAddress,
                                      let vp = v.baseAddress else { return }
                                split.run(.adam(theta: tp, g: gp, m: mp, v: vp, beta1: b1, beta2: b2, stepSize: stepSize,
                                                inverseCorrection2: inverseCorrection2, epsilon: eps), count: theta.count)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An optimiser's saved state: its update count and named per-parameter arrays
/// (one array per parameter array of the network, in ``Network/updateParameters(with:_:)`` order),
/// held in `Double` whatever the network's precision (exactly, for a float32 network).
public struct OptimizerState: Sendable, Equatable {
    /// Updates made so far (Adam's bias correction depends on it).
    public var step: Int
    /// Per slot name ("velocity", "m", "v"), one array per parameter array of the network.
    public var slots: [String: [[Double]]]

    /// A state of `step` updates with `slots`; the default is a fresh optimiser's.
    public init(step: Int = 0, slots: [String: [[Double]]] = [:]) {
        self.step = step
        self.slots = slots
    }
}

/// A saved optimiser state that does not match the optimiser or the network.
public struct OptimizerStateError: Error, Equatable, CustomStringConvertible {
    /// What does not fit, e.g. a missing slot or an array of the wrong length.
    public let problem: String
    public var description: String { "optimizer state: \(problem)" }
}

/// An optimiser's per-parameter state in the precision of the network it updates: its update count
/// and, per slot of the rule (``Optimizer``'s velocity, or Adam's m and v), one array per parameter
/// array of the network, in ``Network/updateParameters(with:_:)`` order.
public struct OptimizerSlots<Scalar: BLASScalar>: Sendable, Equatable {
    /// Updates made so far (Adam's bias correction depends on it).
    public internal(set) var step = 0
    /// The slots' names, in the order of their arrays.
    public internal(set) var names: [String] = []
    /// Per slot, one array per parameter array (empty before the first update).
    @usableFromInline
    var arrays: [[[Scalar]]] = []

    /// No update made yet.
    public init() {}

    /// The state saved in `state` for a rule with slots `names` (each slot's arrays converted to
    /// `Scalar`, exactly from a float32 run's).
    /// - Throws: ``OptimizerStateError`` when a slot is missing or its arrays do not have `lengths`.
    public init(_ state: OptimizerState, names: [String], lengths: [Int], optimizer: String) throws(OptimizerStateError) {
        step = state.step
        self.names = names
        for name in names {
            guard let saved = state.slots[name] else {
                throw OptimizerStateError(problem: "\(optimizer) needs the slot \"\(name)\", found \(state.slots.keys.sorted())")
            }
            if !saved.isEmpty && saved.map(\.count) != lengths {
                throw OptimizerStateError(problem: "slot \"\(name)\" has arrays of lengths \(saved.map(\.count)), the network's parameters \(lengths)")
            }
            arrays.append(saved.map { $0.map { Scalar($0) } })
        }
    }

    /// Sizes the slots (``prepare(_:for:)``) and counts the update about to be made (a rule
    /// without slots, plain gradient descent, has no state to count in).
    @usableFromInline
    mutating func beginUpdate<B: LinearAlgebra<Scalar>>(_ names: [String], for network: Network<B>) {
        prepare(names, for: network)
        if !names.isEmpty { step += 1 }
    }

    /// Zeros for each of `names` and each parameter array of `network` the first time (or when a
    /// restored slot is empty), then the same arrays (checked by count only, so a steady-state update allocates nothing).
    mutating func prepare<B: LinearAlgebra<Scalar>>(_ names: [String], for network: Network<B>) {
        let count = network.parameterArrayCount
        var sized = self.names.count == names.count && arrays.count == names.count
        for s in arrays.indices where arrays[s].count != count { sized = false }  // A plain loop: no iterator to allocate.
        if sized { return }
        let lengths = network.parameterArrayLengths
        self.names = names
        arrays = names.indices.map { s in
            s < arrays.count && arrays[s].count == lengths.count ? arrays[s] : lengths.map { [Scalar](repeating: 0, count: $0) }
        }
    }

    /// The state in `Double` (exact from `Float`) of a rule with slots `names`, for checkpoints: a
    /// slot not yet sized (no update made) is saved empty.
    public func saved(names: [String]) -> OptimizerState {
        var slots: [String: [[Double]]] = [:]
        for name in names {
            let s = self.names.firstIndex(of: name)
            slots[name] = s.map { arrays[$0].map { $0.map { Double($0) } } } ?? []
        }
        return OptimizerState(step: step, slots: slots)
    }
}
