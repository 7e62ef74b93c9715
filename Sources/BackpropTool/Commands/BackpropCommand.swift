// BackpropCommand.swift: the `backprop` command and its subcommands.
import ArgumentParser
import Linalg

/// The `backprop` command: the lesson's quiz, test-vector tooling, and (in later subcommands) training.
@main
struct BackpropCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backprop",
        abstract: "Neural networks (dense and convolutional) trained with backpropagation, every matrix product in OpenBLAS.",
        discussion: """
            Conventions, as in the lesson: a weight matrix is fan_in × fan_out, a sample is a row, a layer computes f(x·W + b), and a step adds −η·∂L/∂W to the weights.
            """,
        subcommands: [Train.self, Evaluate.self, Predict.self, Inspect.self, Export.self, Gradcheck.self, Quiz.self, Step.self, Verify.self]
    )

    /// Runs OpenBLAS's best kernels for this processor (``OpenBLASKernels``), then the command.
    static func main() {
        OpenBLASKernels.restartWithBetterKernelsIfNeeded()
        main(nil)
    }
}
