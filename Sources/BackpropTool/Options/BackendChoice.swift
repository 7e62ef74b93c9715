import ArgumentParser
import Backprop
import Linalg

/// Which linear-algebra backend a command computes with.
enum BackendChoice: String, ExpressibleByArgument, CaseIterable {
    case blas, reference

    /// The step of `trainingCase` computed on this backend.
    func computeStep(_ trainingCase: TrainingCase) -> StepResult {
        switch self {
        case .blas: return trainingCase.computeStep(on: BLAS.self)
        case .reference: return trainingCase.computeStep(on: Reference.self)
        }
    }
}

/// `--backend` for commands that can also check both backends at once.
enum BackendSelection: String, ExpressibleByArgument, CaseIterable {
    case blas, reference, both

    var backends: [BackendChoice] {
        switch self {
        case .blas: return [.blas]
        case .reference: return [.reference]
        case .both: return [.blas, .reference]
        }
    }
}

extension TrainingCase {
    /// The case's training step on backend `B`, without applying it.
    func computeStep<B: LinearAlgebra>(on backend: B.Type) -> StepResult {
        network(backend).computeStep(inputs: inputs, targets: targets, learningRate: learningRate)
    }
}
