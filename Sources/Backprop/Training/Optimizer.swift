import Foundation
import Kernels
import Linalg

/// A rule that turns gradients ∂L/∂θ into a change of the parameters θ.
///
/// Implementations keep their per-parameter state (velocities, moment estimates) in
/// ``OptimizerState`` so that checkpoints can save and restore it exactly. To add an optimiser,
/// conform a type to this protocol; the trainer calls ``update(_:gradients:learningRate:)`` once per batch.
public protocol Optimizer: Sendable {
    /// The name used on the command line and in checkpoints ("sgd", "momentum", "nesterov", "adam").
    var name: String { get }
    /// Applies one update to `network` for `gradients` (∂L/∂W and ∂L/∂b) at `learningRate`.
    mutating func update<B: LinearAlgebra>(_ network: inout Network<B>, gradients: Gradients<B.Scalar>, learningRate: Double)
    /// The same update with its element-wise work split across the trainer's threads by `split`
    /// (the trainer calls this one). The default runs ``update(_:gradients:learningRate:)``.
    mutating func update<B: LinearAlgebra>(_ network: inout Network<B>, gradients: Gradients<B.Scalar>, learningRate: Double,
                                           split: ParallelElementwise)
    /// Everything needed to continue exactly where this optimiser stands.
    var state: OptimizerState { get }
    /// Continues from a saved state. Throws when it does not fit this optimiser.
    mutating func restore(_ state: OptimizerState) throws(OptimizerStateError)
}

extension Optimizer {
    /// The unsplit update, for optimisers that do not split their work: ignores `split`.
    public mutating func update<B: LinearAlgebra>(_ network: inout Network<B>, gradients: Gradients<B.Scalar>, learningRate: Double,
                                                  split: ParallelElementwise) {
        update(&network, gradients: gradients, learningRate: learningRate)
    }
}

extension ParallelElementwise {
    /// Everything on the calling thread: what the optimisers' unsplit ``Optimizer/update(_:gradients:learningRate:)`` uses.
    static let onCallingThread = ParallelElementwise(threads: nil)
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

/// Lazily sized per-parameter slots, shared by the optimisers with state, in the precision of the
/// network they update (an optimiser is not generic, its slots follow the network it is handed).
struct Slots: Sendable, Equatable {
    private var floats: [[Float]] = []
    private var doubles: [[Double]] = []

    /// Zeros for each parameter array of `network` the first time (or the restored arrays, converted
    /// to its precision), then the same arrays (checked by count only, so a steady-state update
    /// allocates nothing).
    mutating func prepare<B: LinearAlgebra>(for network: Network<B>) {
        let count = network.parameterArrayCount
        switch B.Scalar.precision {
        case .float32:
            if floats.count == count { return }
            floats = doubles.count == count ? doubles.map { $0.map { Float($0) } }
                : network.parameterArrayLengths.map { [Float](repeating: 0, count: $0) }
            doubles = []
        case .float64:
            if doubles.count == count { return }
            doubles = floats.count == count ? floats.map { $0.map { Double($0) } }
                : network.parameterArrayLengths.map { [Double](repeating: 0, count: $0) }
            floats = []
        }
    }

    /// Runs `body` on the arrays in precision `S` (after ``prepare(for:)`` with a network of that precision).
    mutating func withArrays<S: BLASScalar, R>(_: S.Type, _ body: (inout [[S]]) -> R) -> R {
        // S is Float or Double (BLASScalar's two conformers), so each rebinding is to the same type.
        if S.self == Float.self {
            return withUnsafeMutablePointer(to: &floats) { $0.withMemoryRebound(to: [[S]].self, capacity: 1) { body(&$0.pointee) } }
        }
        return withUnsafeMutablePointer(to: &doubles) { $0.withMemoryRebound(to: [[S]].self, capacity: 1) { body(&$0.pointee) } }
    }

    /// The arrays in `Double` (exact from `Float`), for the saved state.
    var arrays: [[Double]] { floats.isEmpty ? doubles : floats.map { $0.map { Double($0) } } }

    static func restore(_ state: OptimizerState, name: String, into slots: inout Slots, optimizer: String) throws(OptimizerStateError) {
        guard let arrays = state.slots[name] else {
            throw OptimizerStateError(problem: "\(optimizer) needs the slot \"\(name)\", found \(state.slots.keys.sorted())")
        }
        slots.doubles = arrays  // Converted to the network's precision by the first prepare(for:).
        slots.floats = []
    }
}

/// The lesson's plain gradient descent: θ ← θ − η·g.
public struct GradientDescent: Optimizer {
    public let name = "sgd"
    /// Plain gradient descent has no state and no settings besides the learning rate.
    public init() {}
    /// θ ← θ − η·g through the backend's `axpy`.
    @_specialize(where B == BLAS<Double>)
    @_specialize(where B == BLAS<Float>)
    @_specialize(where B == Reference<Double>)
    @_specialize(where B == Reference<Float>)
    public mutating func update<B: LinearAlgebra>(_ network: inout Network<B>, gradients: Gradients<B.Scalar>, learningRate: Double) {
        network.updateParameters(with: gradients) { _, theta, g in
            B.axpy(alpha: B.Scalar(-learningRate), g, into: &theta)
        }
    }
    /// The same step through the element-wise kernel, split across the trainer's threads.
    @_specialize(where B == BLAS<Double>)
    @_specialize(where B == BLAS<Float>)
    @_specialize(where B == Reference<Double>)
    @_specialize(where B == Reference<Float>)
    public mutating func update<B: LinearAlgebra>(_ network: inout Network<B>, gradients: Gradients<B.Scalar>, learningRate: Double,
                                                  split: ParallelElementwise) {
        network.updateParameters(with: gradients) { _, theta, g in
            theta.withUnsafeMutableBufferPointer { theta in
                g.withUnsafeBufferPointer { g in
                    guard let tp = theta.baseAddress, let gp = g.baseAddress else { return }
                    split.run(.addScaled(y: tp, x: gp, w: B.Scalar(-learningRate)), count: theta.count)
                }
            }
        }
    }
    public var state: OptimizerState { OptimizerState() }
    public mutating func restore(_ state: OptimizerState) throws(OptimizerStateError) {}
}

/// Heavy-ball momentum: v ← μ·v − η·g, θ ← θ + v.
/// With `nesterov`, θ ← θ + μ·v − η·g (the look-ahead form, as in scikit-learn and PyTorch).
public struct Momentum: Optimizer {
    /// μ in [0, 1): the fraction of the last update carried into the next.
    public var momentum: Double
    /// Whether the update looks ahead along the velocity (Nesterov's form).
    public let nesterov: Bool
    var velocity = Slots()
    var steps = 0

    public var name: String { nesterov ? "nesterov" : "momentum" }

    /// Momentum μ (default 0.9), heavy-ball or Nesterov. Velocities start at zero.
    public init(momentum: Double = 0.9, nesterov: Bool = false) {
        precondition(momentum >= 0 && momentum < 1, "Momentum: momentum \(momentum) must be in [0, 1)")
        self.momentum = momentum
        self.nesterov = nesterov
    }

    @_specialize(where B == BLAS<Double>)
    @_specialize(where B == BLAS<Float>)
    @_specialize(where B == Reference<Double>)
    @_specialize(where B == Reference<Float>)
    public mutating func update<B: LinearAlgebra>(_ network: inout Network<B>, gradients: Gradients<B.Scalar>, learningRate: Double) {
        update(&network, gradients: gradients, learningRate: learningRate, split: .onCallingThread)
    }

    @_specialize(where B == BLAS<Double>)
    @_specialize(where B == BLAS<Float>)
    @_specialize(where B == Reference<Double>)
    @_specialize(where B == Reference<Float>)
    public mutating func update<B: LinearAlgebra>(_ network: inout Network<B>, gradients: Gradients<B.Scalar>, learningRate: Double,
                                                  split: ParallelElementwise) {
        velocity.prepare(for: network)
        let (mu, eta, nesterov) = (B.Scalar(momentum), B.Scalar(learningRate), self.nesterov)
        velocity.withArrays(B.Scalar.self) { velocity in
            network.updateParameters(with: gradients) { k, theta, g in
                velocity[k].withUnsafeMutableBufferPointer { v in
                    theta.withUnsafeMutableBufferPointer { theta in
                        g.withUnsafeBufferPointer { g in
                            guard let tp = theta.baseAddress, let gp = g.baseAddress, let vp = v.baseAddress else { return }
                            split.run(.momentum(theta: tp, g: gp, v: vp, mu: mu, eta: eta, nesterov: nesterov), count: theta.count)
                        }
                    }
                }
            }
        }
        steps += 1
    }

    public var state: OptimizerState { OptimizerState(step: steps, slots: ["velocity": velocity.arrays]) }

    public mutating func restore(_ state: OptimizerState) throws(OptimizerStateError) {
        try Slots.restore(state, name: "velocity", into: &velocity, optimizer: name)
        steps = state.step
    }
}

/// Adam (Kingma & Ba): bias-corrected first and second moment estimates,
/// θ ← θ − η·m̂ / (√v̂ + ε).
public struct Adam: Optimizer {
    public let name = "adam"
    /// Decay of the first-moment (β1) and second-moment (β2) averages, and ε in the denominator.
    public var beta1: Double, beta2: Double, epsilon: Double
    var m = Slots(), v = Slots()
    var steps = 0

    /// Adam with the paper's defaults; moment estimates start at zero.
    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        precondition(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0,
                     "Adam: need 0 ≤ β1, β2 < 1 and ε > 0, got \(beta1), \(beta2), \(epsilon)")
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    @_specialize(where B == BLAS<Double>)
    @_specialize(where B == BLAS<Float>)
    @_specialize(where B == Reference<Double>)
    @_specialize(where B == Reference<Float>)
    public mutating func update<B: LinearAlgebra>(_ network: inout Network<B>, gradients: Gradients<B.Scalar>, learningRate: Double) {
        update(&network, gradients: gradients, learningRate: learningRate, split: .onCallingThread)
    }

    @_specialize(where B == BLAS<Double>)
    @_specialize(where B == BLAS<Float>)
    @_specialize(where B == Reference<Double>)
    @_specialize(where B == Reference<Float>)
    public mutating func update<B: LinearAlgebra>(_ network: inout Network<B>, gradients: Gradients<B.Scalar>, learningRate: Double,
                                                  split: ParallelElementwise) {
        m.prepare(for: network)
        v.prepare(for: network)
        steps += 1
        // Fold the bias corrections into constants: m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), computed in
        // Double and rounded once to the network's precision.
        let t = Double(steps)
        let stepSize = B.Scalar(learningRate / (1 - pow(beta1, t))), inverseCorrection2 = B.Scalar(1 / (1 - pow(beta2, t)))
        let (b1, b2, eps) = (B.Scalar(beta1), B.Scalar(beta2), B.Scalar(epsilon))
        m.withArrays(B.Scalar.self) { m in
            v.withArrays(B.Scalar.self) { v in
                network.updateParameters(with: gradients) { k, theta, g in
                    m[k].withUnsafeMutableBufferPointer { m in
                        v[k].withUnsafeMutableBufferPointer { v in
                            theta.withUnsafeMutableBufferPointer { theta in
                                g.withUnsafeBufferPointer { g in
                                    guard let tp = theta.baseAddress, let gp = g.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress else { return }
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

    public var state: OptimizerState { OptimizerState(step: steps, slots: ["m": m.arrays, "v": v.arrays]) }

    public mutating func restore(_ state: OptimizerState) throws(OptimizerStateError) {
        try Slots.restore(state, name: "m", into: &m, optimizer: name)
        try Slots.restore(state, name: "v", into: &v, optimizer: name)
        steps = state.step
    }
}

/// The optimisers by their command-line names.
public enum Optimizers {
    /// The names ``make(_:)`` knows, as the command line's `--optimizer` takes them.
    public static let names = ["sgd", "momentum", "nesterov", "adam"]

    /// A fresh optimiser called `name`, or nil for an unknown name.
    public static func make(_ name: String) -> (any Optimizer)? {
        switch name {
        case "sgd": return GradientDescent()
        case "momentum": return Momentum()
        case "nesterov": return Momentum(nesterov: true)
        case "adam": return Adam()
        default: return nil
        }
    }
}
