// Step.swift: what one gradient-descent step on a batch computed, with everything taken before the step.
import Linalg

/// What one gradient-descent step on a batch computed, with everything taken before the step.
public struct StepResult<Scalar: BLASScalar>: Equatable, Sendable {
    /// The network's outputs (`batch × outputCount`).
    public var outputs: Matrix<Scalar>
    /// The batch-mean loss L.
    public var loss: Double
    /// What is added to each layer: −η·∂L/∂W and −η·∂L/∂b (the lesson's Δw = η·δ·x for one sample).
    public var steps: ParameterArrays<Scalar>

    /// The same figures in `Double` (exact from `Float`), to compare with float64 answers.
    public var promoted: StepResult<Double> {
        StepResult<Double>(outputs: outputs.converted(to: Double.self), loss: loss,
                           steps: steps.converted(to: Double.self))
    }
}

extension Network {
    /// The lesson's step on a batch (`inputs` `batch × inputCount`, `targets` `batch × outputCount`)
    /// without applying it. Allocates its buffers and the result; a loop keeps a ``Workspace`` and
    /// calls ``computeStep(inputs:targets:learningRate:workspace:into:)``, which this calls.
    public func computeStep(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, learningRate: Scalar) -> StepResult<Scalar> {
        let workspace = Workspace(batch: inputs.rows, layers: layers)
        var steps = ParameterArrays<Scalar>(zerosLike: layers)
        let lossValue = computeStep(inputs: inputs, targets: targets, learningRate: learningRate, workspace: workspace, into: &steps)
        return StepResult(outputs: workspace.outputs, loss: lossValue, steps: steps)
    }

    /// The same step into `workspace` (made for this network's layers at `inputs.rows`) and `steps`
    /// (shaped like its parameters): the forward pass, then the backward pass, which for one sample
    /// writes the lesson's Δw = η·δ·x directly as outer products (`gemv`, `ger`; a zero step has its
    /// product's sign, as NumPy's `η * δ * x`), and for a batch the gradient −(1/n)·Xᵀ·Δ (`gemm`)
    /// then times −η. Returns the batch-mean loss. Allocates nothing; the outputs are `workspace.outputs`.
    @discardableResult
    @_specialize(exported: true, where Backend == BLAS<Double>)
    @_specialize(exported: true, where Backend == BLAS<Float>)
    @_specialize(exported: true, where Backend == Reference<Double>)
    @_specialize(exported: true, where Backend == Reference<Float>)
    public func computeStep(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, learningRate: Scalar, workspace: Workspace<Scalar>,
                            into steps: inout ParameterArrays<Scalar>) -> Double {
        forward(inputs, workspace: workspace)
        if inputs.rows == 1 {
            return backward(inputs: inputs, targets: targets, workspace: workspace, into: &steps,
                            scale: .sampleStep(learningRate: learningRate))
        }
        let lossValue = backward(inputs: inputs, targets: targets, workspace: workspace, into: &steps,
                                 scale: .gradient(batch: inputs.rows))
        steps.scale(by: -learningRate)
        return lossValue
    }

    /// Computes the step as ``computeStep(inputs:targets:learningRate:)`` does, then adds it to the weights.
    @discardableResult
    public mutating func step(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, learningRate: Scalar) -> StepResult<Scalar> {
        let result = computeStep(inputs: inputs, targets: targets, learningRate: learningRate)
        add(result.steps)
        return result
    }
}
