import Linalg

/// What one gradient-descent step on a batch computed, with everything taken before the step.
public struct StepResult<Scalar: BLASScalar>: Equatable, Sendable {
    /// The network's outputs (`batch × outputCount`).
    public var outputs: Matrix<Scalar>
    /// The batch-mean loss L.
    public var loss: Double
    /// What is added to each layer: −η·∂L/∂W and −η·∂L/∂b (the lesson's Δw = η·δ·x for one sample).
    public var steps: Gradients<Scalar>

    /// The same figures in `Double` (exact from `Float`), to compare with float64 answers.
    public var promoted: StepResult<Double> {
        StepResult<Double>(outputs: outputs.converted(to: Double.self), loss: loss,
                           steps: steps.converted(to: Double.self))
    }
}

extension Network {
    /// The lesson's step on a batch (`inputs` `batch × inputCount`, `targets` `batch × outputCount`)
    /// without applying it. A batch of one takes the lesson's vector path (`gemv`, `ger`); larger
    /// batches take the matrix path (`gemm`).
    public func computeStep(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, learningRate: Scalar) -> StepResult<Scalar> {
        precondition(inputs.rows == targets.rows,
                     "computeStep: inputs \(inputs.rows)×\(inputs.columns) and targets \(targets.rows)×\(targets.columns) differ in samples")
        if inputs.rows == 1 {
            return sampleStep(input: inputs.elements, target: targets.elements, learningRate: learningRate)
        }
        let workspace = Workspace(batch: inputs.rows, layers: layers)
        var g = Gradients<Scalar>(zerosLike: layers)
        let lossValue = gradients(inputs: inputs, targets: targets, workspace: workspace, into: &g)
        return StepResult(outputs: workspace.outputs, loss: lossValue, steps: g.scaled(by: -learningRate))
    }

    /// Computes the step as ``computeStep(inputs:targets:learningRate:)`` does, then adds it to the weights.
    @discardableResult
    public mutating func step(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, learningRate: Scalar) -> StepResult<Scalar> {
        let result = computeStep(inputs: inputs, targets: targets, learningRate: learningRate)
        add(result.steps)
        return result
    }
}
