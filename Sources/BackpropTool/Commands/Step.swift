// Step.swift: `backprop step CASE.json`.
import ArgumentParser
import Backprop
import ModelFiles

/// `backprop step CASE.json`: the case back as JSON with what this package computes for it.
struct Step: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute one training step for a case file and print the case as JSON with a `computed` block.",
        discussion: "The `computed` block has the fields of `expected`; every number is written so it reads back to the same bits."
    )

    @Argument(help: "A case file (Tests/Vectors/FORMAT.md).")
    var caseFile: String

    @Option(help: "Backend to compute with: blas or reference.")
    var backend: BackendChoice = .blas

    @Option(help: "Precision to compute in: float32 (the case's numbers rounded to float32; the computed numbers are float32 values) or float64.")
    var precision: Precision = PrecisionDefault.checks

    func run() throws {
        let trainingCase = try TrainingCase.load(path: caseFile)
        let result = backend.computeStep(trainingCase, precision: precision)
        let values = [result.loss] + result.outputs.elements + result.steps.weights.flatMap(\.elements)
            + result.steps.biases.flatMap { $0 ?? [] }
        guard values.allSatisfy(\.isFinite) else {
            throw ValidationError("\(caseFile): the computed step is not finite (overflow or NaN); JSON cannot hold it")
        }
        print(trainingCase.json(computed: result), terminator: "")
    }
}
