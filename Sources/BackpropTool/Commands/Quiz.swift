// Quiz.swift: `backprop quiz [CASE.json]`.
import ArgumentParser
import Backprop
import ModelFiles
import NumPyFormat

/// `backprop quiz [CASE.json]`: the lesson's quiz answer, printed as NumPy prints it.
struct Quiz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the lesson's quiz answer (or a two-layer case's weight steps) exactly as NumPy prints it.",
        discussion: """
            Without a file, runs the lesson's quiz: x = [0.5, 0.1, -0.2], target 0.6, learning rate 0.5, a 3-2-1 sigmoid network. With a file, runs any two-layer case file in the test-vector format. A single output unit prints the hidden→output step as a 1-D array, as the lesson does.
            """
    )

    @Argument(help: "A two-layer case file (Tests/Vectors/FORMAT.md). Default: the lesson's quiz.")
    var caseFile: String?

    @Option(help: "Backend to compute with: blas or reference.")
    var backend: BackendChoice = .blas

    func run() throws {
        let quiz = try caseFile.map { try TrainingCase.load(path: $0) } ?? Lesson.quiz
        guard quiz.layers.count == 2 else {
            throw ValidationError("\(caseFile ?? "quiz"): layers: the quiz needs exactly two layers (input→hidden, hidden→output), found \(quiz.layers.count)")
        }
        print(Quiz.report(backend.computeStep(quiz).steps), terminator: "")
    }

    /// The lesson's two printed blocks for a two-layer step.
    static func report(_ steps: ParameterArrays<Double>) -> String {
        let hiddenToOutput = steps.weights[1]
        let inputToHidden = steps.weights[0]
        // The lesson's output layer has one unit, so NumPy holds its step as a 1-D array.
        let shape = hiddenToOutput.columns == 1 ? [hiddenToOutput.rows] : [hiddenToOutput.rows, hiddenToOutput.columns]
        return "Change in weights for hidden layer to output layer:\n"
            + NumPyFormat.string(hiddenToOutput.elements, shape: shape) + "\n"
            + "Change in weights for input layer to hidden layer:\n"
            + NumPyFormat.string(inputToHidden.elements, shape: [inputToHidden.rows, inputToHidden.columns]) + "\n"
    }
}
