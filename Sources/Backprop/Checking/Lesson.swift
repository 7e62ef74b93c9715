// Lesson.swift: the lesson's two networks, as cases.
import Linalg

/// The lesson's two networks, as cases: the worked example and the quiz.
public enum Lesson {
    /// The quiz: x = [0.5, 0.1, −0.2], target 0.6, η = 0.5, a 3-2-1 sigmoid network without biases.
    public static let quiz = TrainingCase(
        name: "lesson-quiz",
        description: "The lesson's backpropagation quiz.",
        layers: [
            .dense(weights: Matrix([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]), activation: .sigmoid),
            .dense(weights: Matrix([[0.1], [-0.3]]), activation: .sigmoid),
        ],
        loss: .squaredError,
        learningRate: 0.5,
        inputs: Matrix([[0.5, 0.1, -0.2]]),
        targets: Matrix([[0.6]])
    )

    /// The worked example: x = [0.1, 0.3], target 1, η = 0.5, one sigmoid hidden unit with input
    /// weights [0.4, −0.2] and output weight 0.1.
    public static let workedExample = TrainingCase(
        name: "lesson-worked-example",
        description: "The lesson's worked backpropagation example.",
        layers: [
            .dense(weights: Matrix([[0.4], [-0.2]]), activation: .sigmoid),
            .dense(weights: Matrix([[0.1]]), activation: .sigmoid),
        ],
        loss: .squaredError,
        learningRate: 0.5,
        inputs: Matrix([[0.1, 0.3]]),
        targets: Matrix([[1]])
    )
}
