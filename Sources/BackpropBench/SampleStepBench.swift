// SampleStepBench.swift: the lesson's single-sample step timed as a training loop keeps it.
import Backprop
import CMallocCounter
import Linalg

/// Times the lesson's single-sample step as a training loop keeps it, `Network.computeStep` on one
/// row into a reused `Workspace` and step arrays (gemv forward, ger steps; nothing applied), beside its BLAS calls alone
/// (`sampleCalls`), and counts the step's heap allocations per step after warm-up. The step's and
/// the floor's samples alternate, so both see the same load on a shared machine. The call is made at
/// a concrete backend (each case below inlines `closures` at one), so it runs the specialisation
/// Backprop exports rather than the generic code.
func sampleSteps(spec: NetworkSpec, backend: String, precision: Precision, input: [Double], target: [Double],
                 budget: Double) -> (median: Double, floor: Double, allocationsPerStep: Double?) {
    BLASThreads.set(1)
    @inline(__always) func closures<B: LinearAlgebra>(_: B.Type) -> (step: () -> Void, floor: () -> Void) {
        let network = spec.make(B.self), workspace = Workspace<B.Scalar>(batch: 1, layers: network.layers)
        var steps = ParameterArrays<B.Scalar>(zerosLike: network.layers)
        let x = Matrix(rows: 1, columns: input.count, elements: input.map { B.Scalar($0) })
        let t = Matrix(rows: 1, columns: target.count, elements: target.map { B.Scalar($0) })
        return ({ network.computeStep(inputs: x, targets: t, learningRate: 0.5, workspace: workspace, into: &steps) },
                sampleCalls(B.self, sizes: spec.sizes, bias: spec.bias))
    }
    let (step, floor) = switch (backend, precision) {
    case ("blas", .float64): closures(BLAS<Double>.self)
    case ("blas", .float32): closures(BLAS<Float>.self)
    case (_, .float64): closures(Reference<Double>.self)
    case (_, .float32): closures(Reference<Float>.self)
    }
    // Many short samples: on a loaded machine a preemption spoils a few of them, not the medians.
    let (median, floorMedian) = Timing.alternatingMedians(samples: 101, minimumSample: 0.0002, budget: budget, step, floor)
    let repeats = 1000
    let before = malloc_counter_allocations()
    for _ in 0..<repeats { step() }
    let allocations = mallocCounterActive ? Double(malloc_counter_allocations() - before) / Double(repeats) : nil
    return (median, floorMedian, allocations)
}

/// One layer's operands for the BLAS calls of a single-sample step, preallocated and random.
final class SampleCallOperands<Scalar: BLASScalar> {
    @exclusivity(unchecked) var weights: Matrix<Scalar>
    @exclusivity(unchecked) var input: [Scalar]
    @exclusivity(unchecked) var output: [Scalar]
    @exclusivity(unchecked) var errorTerms: [Scalar]
    @exclusivity(unchecked) var weightStep: Matrix<Scalar>
    @exclusivity(unchecked) var biasStep: [Scalar]
    @exclusivity(unchecked) var errorTermsBelow: [Scalar]

    init(fanIn: Int, fanOut: Int, using rng: inout SeededGenerator) {
        func random(_ n: Int) -> [Scalar] { Matrix<Scalar>.randomUniform(rows: 1, columns: n, using: &rng).elements }
        weights = .randomUniform(rows: fanIn, columns: fanOut, using: &rng)
        input = random(fanIn)
        output = random(fanOut)
        errorTerms = random(fanOut)
        weightStep = .randomUniform(rows: fanIn, columns: fanOut, using: &rng)
        biasStep = random(fanOut)
        errorTermsBelow = random(fanIn)
    }
}

/// The BLAS calls of one single-sample `Network.computeStep` (Dense.swift at batch 1), in its order: per layer
/// h = Wᵀ·x (+ b: β = 1) (`gemv`); then from the top ΔW = η·x·δᵀ (`ger`), Δb = η·δ (`axpy`, with
/// biases) and, above the first layer, W·δ (`gemv`). Operands are preallocated; the closure runs them.
func sampleCalls<B: LinearAlgebra>(_: B.Type, sizes: [Int], bias: Bool) -> () -> Void {
    var rng = SeededGenerator(seed: 9)
    let layers = (0..<(sizes.count - 1)).map { SampleCallOperands<B.Scalar>(fanIn: sizes[$0], fanOut: sizes[$0 + 1], using: &rng) }
    return {
        for o in layers {
            B.gemv(.transpose, alpha: 1, o.weights, o.input, beta: bias ? 1 : 0, into: &o.output)
        }
        for (l, o) in layers.enumerated().reversed() {
            B.ger(alpha: 0.5, o.input, o.errorTerms, into: &o.weightStep)
            if bias { B.axpy(alpha: 0.5, o.errorTerms, into: &o.biasStep) }
            if l > 0 { B.gemv(.none, alpha: 1, o.weights, o.errorTerms, beta: 0, into: &o.errorTermsBelow) }
        }
    }
}
