// TrainingCase.swift: one test-vector case: a network, a batch, η and the step it expects (its JSON codec is in ModelFiles).
import Datasets
import Foundation
import Linalg

/// One test-vector case (`vectors/FORMAT.md`): a network, a batch, a learning rate, and
/// optionally the outputs, loss and steps the lesson's formulas give for it.
public struct TrainingCase: Sendable {
    /// What a case expects: the fields of its `expected` block.
    public struct Expected: Sendable, Equatable {
        /// The network's outputs before the step (`batch × n_out`).
        public var outputs: Matrix<Double>
        /// The batch-mean loss before the step.
        public var loss: Double
        /// `weight_steps` and `bias_steps`: −η·∂L/∂W and −η·∂L/∂b per layer.
        public var steps: ParameterArrays<Double>

        /// An expected block of `outputs`, `loss` and `steps`.
        public init(outputs: Matrix<Double>, loss: Double, steps: ParameterArrays<Double>) {
            self.outputs = outputs
            self.loss = loss
            self.steps = steps
        }
    }

    /// The case's name (the file name without `.json` unless the file gives one).
    public var name: String
    /// Free text from the file.
    public var description: String?
    /// The network: its layers (each `fanIn × fanOut`) and the loss the step minimises.
    public var definition: NetworkDefinition<Double>
    /// η.
    public var learningRate: Double
    /// `batch × n_in`.
    public var inputs: Matrix<Double>
    /// `batch × n_out`.
    public var targets: Matrix<Double>
    /// The `expected` block, or nil for a case that only poses the question.
    public var expected: Expected?

    /// A case from its parts; `inputs` and `targets` must have one row per sample.
    public init(name: String, description: String? = nil, _ definition: NetworkDefinition<Double>, learningRate: Double,
                inputs: Matrix<Double>, targets: Matrix<Double>, expected: Expected? = nil) {
        self.name = name
        self.description = description
        self.definition = definition
        self.learningRate = learningRate
        self.inputs = inputs
        self.targets = targets
        self.expected = expected
    }

    /// A case from its parts; `layers` and `loss` must form a valid ``NetworkDefinition`` (a programming
    /// error stops here, naming the broken rule), `inputs` and `targets` must have one row per sample.
    public init(name: String, description: String? = nil, layers: [Layer<Double>], loss: Loss, learningRate: Double,
                inputs: Matrix<Double>, targets: Matrix<Double>, expected: Expected? = nil) {
        let definition: NetworkDefinition<Double>
        do {
            definition = try NetworkDefinition(layers: layers, loss: loss)
        } catch {
            preconditionFailure("TrainingCase \(name): \(error)")
        }
        self.init(name: name, description: description, definition, learningRate: learningRate,
                  inputs: inputs, targets: targets, expected: expected)
    }

    /// The layers from input to output, each `fanIn × fanOut`.
    public var layers: [Layer<Double>] { definition.layers }
    /// The loss the step minimises.
    public var loss: Loss { definition.loss }

    /// The case's network on `backend`, in its precision (float32 rounds each parameter to nearest).
    public func network<B: LinearAlgebra>(_ backend: B.Type) -> Network<B> {
        Network<B>(definition.converted(to: B.Scalar.self))
    }

    /// The case's training step on backend `B`, in `B`'s precision (the case's numbers rounded to
    /// it), without applying it: what `backprop step` prints and `verify` compares with `expected`.
    public func computeStep<B: LinearAlgebra>(on backend: B.Type) -> StepResult<B.Scalar> {
        network(backend).computeStep(inputs: inputs.converted(to: B.Scalar.self), targets: targets.converted(to: B.Scalar.self),
                                     learningRate: B.Scalar(learningRate))
    }
}
