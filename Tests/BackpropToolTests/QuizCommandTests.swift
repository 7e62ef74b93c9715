// QuizCommandTests.swift: the quiz, byte for byte as the lesson's NumPy script prints it.
import Foundation
import Testing
import TestSupport

/// The quiz, byte for byte as the lesson's NumPy script prints it.
@Suite struct QuizCommandTests {
    /// The output of `python3 quiz_solution.py` from the lesson (NumPy 2), as DESIGN.md records it.
    static let lessonOutput = """
        Change in weights for hidden layer to output layer:
        [0.00804047 0.00555918]
        Change in weights for input layer to hidden layer:
        [[ 1.77005547e-04 -5.11178506e-04]
         [ 3.54011093e-05 -1.02235701e-04]
         [-7.08022187e-05  2.04471402e-04]]

        """

    @Test(arguments: ["blas", "reference"])
    func quizPrintsTheLessonsOutputExactly(backend: String) throws {
        let run = try Tool.run(["quiz", "--backend", backend])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput == Self.lessonOutput)
    }

    @Test func quizOfTheQuizCaseFileIsTheSame() throws {
        let file = TestData.vectorsDirectory.appendingPathComponent("seed-quiz.json")
        guard FileManager.default.fileExists(atPath: file.path) else { throw TestData.MissingVectors(path: file.path) }
        let run = try Tool.run(["quiz", file.path])
        #expect(run.standardOutput == Self.lessonOutput)
    }

    @Test func quizOfTheWorkedExamplePrintsItsSteps() throws {
        // seed-example.json's weight_steps, 0.030153488404045862 and [1.522750661866278e-4, 4.568251985598833e-4],
        // printed with 8 digits: all within [1e-4, 1e3) ratios, so fixed notation.
        let file = TestData.vectorsDirectory.appendingPathComponent("seed-example.json")
        guard FileManager.default.fileExists(atPath: file.path) else { throw TestData.MissingVectors(path: file.path) }
        let run = try Tool.run(["quiz", file.path])
        #expect(run.standardOutput == """
            Change in weights for hidden layer to output layer:
            [0.03015349]
            Change in weights for input layer to hidden layer:
            [[0.00015228]
             [0.00045683]]

            """)
    }

    @Test func quizOfADeeperCaseIsRefused() throws {
        let file = TestData.vectorsDirectory.appendingPathComponent("three-hidden-layers.json")
        let run = try Tool.run(["quiz", file.path])
        #expect(run.status != 0)
        #expect(run.standardError.contains("exactly two layers"))
    }
}
