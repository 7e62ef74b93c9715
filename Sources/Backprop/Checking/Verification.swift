// Verification.swift: a step compared with a case's expected block, naming the first number that disagrees.
import Linalg

extension TrainingCase {
    /// The first disagreement between `result` and this case's `expected` block, as "field: got x, expected y",
    /// or nil when every number agrees. A case without `expected` has nothing to disagree with.
    /// A step in `Float` is compared in `Double` (exactly); pass `Tolerance.float32Step` (Linalg) for it.
    public func firstMismatch<S: BLASScalar>(_ result: StepResult<S>, tolerance: Tolerance = .vectors) -> String? {
        guard let expected else { return nil }
        func compare(_ field: String, _ got: [S], _ want: [Double], columns: Int) -> String? {
            let largest = want.reduce(0) { max($0, abs($1)) }
            for i in want.indices where !tolerance.accepts(Double(got[i]), want[i], fieldLargest: largest) {
                let index = columns > 0 ? "[\(i / columns)][\(i % columns)]" : "[\(i)]"
                return "\(field)\(index): got \(got[i]), expected \(want[i])"
            }
            return nil
        }
        if let m = compare("outputs", result.outputs.elements, expected.outputs.elements, columns: expected.outputs.columns) { return m }
        if !tolerance.accepts(result.loss, expected.loss, fieldLargest: abs(expected.loss)) {
            return "loss: got \(result.loss), expected \(expected.loss)"
        }
        for l in layers.indices {
            let want = expected.steps.weights[l]
            if let m = compare("weight_steps[\(l)]", result.steps.weights[l].elements, want.elements, columns: want.columns) { return m }
            if let b = expected.steps.biases[l], let m = compare("bias_steps[\(l)]", result.steps.biases[l] ?? [], b, columns: 0) { return m }
        }
        return nil
    }
}
