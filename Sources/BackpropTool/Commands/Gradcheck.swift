// Gradcheck.swift: `backprop gradcheck FILE`.
import ArgumentParser
import Backprop
import ModelFiles
import Foundation

/// `backprop gradcheck FILE`: backprop's gradients against central finite differences.
struct Gradcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a model's or a case file's gradients against central finite differences.",
        discussion: """
            For a case file, the gradients are those of its own batch. For a saved model, of a seeded batch of standard-normal inputs (the space the network sees after scaling) and random targets: one-hot classes for cross_entropy, uniform values in [0, 1) for squared_error. Prints the worst relative error |a − n| / max(|a|, |n|, 1e-6) per layer and exits non-zero when one exceeds --tolerance.

            With --precision float32 the gradients checked are the float32 network's; the finite differences are taken in float64 on the same weights promoted exactly (in float32 the difference quotient would lose about 1e-1 to rounding at h = 1e-6).
            """
    )

    @Argument(help: "A case file (Tests/Vectors/FORMAT.md) or a model saved by `backprop train --save`.")
    var file: String

    @Option(help: "Backend whose gradients are checked: blas or reference.")
    var backend: BackendChoice = .blas

    @Option(help: ArgumentHelp("Check at most N parameters per layer (a seeded sample); 0 checks all.", valueName: "N"))
    var samples = 500

    @Option(help: "Samples in the random batch used for a model.")
    var batch = 8

    @Option(help: "Finite-difference step h.")
    var step = 1e-6

    @Option(help: "Precision of the gradients checked: float32 or float64.")
    var precision: Precision = PrecisionDefault.checks

    @Option(name: .customLong("tolerance"), help: "Largest relative error that passes. Default: 1e-4 in float64, 1e-2 in float32 (whose gradients carry rounding of about 1e-7 of their terms, 1e-2 of a gradient near the 1e-6 floor).")
    var toleranceGiven: Double?
    var tolerance: Double { toleranceGiven ?? (precision == .float32 ? 1e-2 : 1e-4) }

    @Option(help: "Seed for the parameter sample and the random batch.")
    var seed: UInt64 = 1

    func validate() throws {
        if samples < 0 { throw ValidationError("--samples must be ≥ 0, got \(samples)") }
        if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if !(step > 0) { throw ValidationError("--step must be > 0, got \(step)") }
        if let toleranceGiven, !(toleranceGiven > 0) { throw ValidationError("--tolerance must be > 0, got \(toleranceGiven)") }
    }

    func run() throws {
        let (layers, loss, inputs, targets) = try problem()
        let network = try NetworkDefinition(layers: layers, loss: loss)
        func check<B: LinearAlgebra>(_: B.Type) -> GradientCheckReport {
            Network<B>(network.converted(to: B.Scalar.self))
                .gradientCheck(inputs: inputs, targets: targets, step: step, samplesPerLayer: samples == 0 ? nil : samples, seed: seed)
        }
        let report = backend.with(precision) { check($0) }
        for (l, layer) in report.layers.enumerated() {
            let shape = "\(layers[l].inputCount)×\(layers[l].outputCount)"
            var line = String(format: "layer %d  %@  %@  checked %d of %d  worst relative error: weights %.2e",
                              l, shape.padding(toLength: 9, withPad: " ", startingAt: 0),
                              layers[l].activation.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0),
                              layer.checked, layer.total, layer.worstWeightError)
            if let b = layer.worstBiasError { line += String(format: ", biases %.2e", b) }
            line += String(format: "  (largest |∂L/∂θ| %.2e)", layer.largestGradient)
            print(line)
        }
        let ok = report.worst <= tolerance
        print(String(format: "worst %.2e: %@ (tolerance %.0e, step %.0e, %@ backend, %@)", report.worst,
                     ok ? "PASS" : "FAIL", tolerance, step, backend.rawValue, precision.rawValue))
        if !ok { throw ExitCode.failure }
    }

    /// The network and the batch to differentiate at.
    private func problem() throws -> ([Layer<Double>], Loss, Matrix<Double>, Matrix<Double>) {
        if let trainingCase = try? TrainingCase.load(path: file) {
            return (trainingCase.layers, trainingCase.loss, trainingCase.inputs, trainingCase.targets)
        }
        let model: SavedModel
        do {
            model = try SavedModel.load(path: file)
        } catch {
            // Neither: report the model reader's view, and the case reader's if the file looked like a case.
            if let caseError = (try? Data(contentsOf: URL(fileURLWithPath: file)))
                .flatMap({ String(decoding: $0, as: UTF8.self).contains("\"inputs\"") ? $0 : nil })
                .flatMap({ data -> Error? in do { _ = try TrainingCase.parse(data, file: file); return nil } catch { return error } }) {
                throw caseError
            }
            throw error
        }
        var rng = SeededGenerator(seed: seed)
        let inputs = Matrix<Double>.randomNormal(rows: batch, columns: model.inputCount, using: &rng)
        var targets = Matrix<Double>(rows: batch, columns: model.outputCount)
        for i in 0..<batch {
            if model.loss == .crossEntropy {
                targets[i, Int(rng.next() % UInt64(model.outputCount))] = 1
            } else {
                for j in 0..<model.outputCount { targets[i, j] = rng.nextUniform() }
            }
        }
        return (model.layers, model.loss, inputs, targets)
    }
}
