// BackendChoice.swift: which linear-algebra backend a command computes with.
import ArgumentParser
import Backprop
import Linalg

/// Which linear-algebra backend a command computes with.
enum BackendChoice: String, ExpressibleByArgument, CaseIterable {
    case blas, reference

    /// Runs `body` with this backend in `precision` (`BLAS<Float>`, `Reference<Double>`, …).
    func with<R>(_ precision: Precision, _ body: (any LinearAlgebra.Type) throws -> R) rethrows -> R {
        switch (self, precision) {
        case (.blas, .float64): return try body(BLAS<Double>.self)
        case (.blas, .float32): return try body(BLAS<Float>.self)
        case (.reference, .float64): return try body(Reference<Double>.self)
        case (.reference, .float32): return try body(Reference<Float>.self)
        }
    }

    /// The step of `trainingCase` computed on this backend in `precision`, promoted to `Double`
    /// (exactly) for comparison and printing.
    func computeStep(_ trainingCase: TrainingCase, precision: Precision = .float64) -> StepResult<Double> {
        func step<B: LinearAlgebra>(_ backend: B.Type) -> StepResult<Double> { trainingCase.computeStep(on: backend).promoted }
        return with(precision) { step($0) }
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

/// `--precision float32|float64`.
extension Precision: ExpressibleByArgument {}
