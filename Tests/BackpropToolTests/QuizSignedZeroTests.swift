// QuizSignedZeroTests.swift: `backprop quiz CASE.json` against NumPy on cases holding −0.0 and +0.0.
import Foundation
import Testing
import TestSupport

/// `backprop quiz CASE.json` against NumPy itself, on two-layer cases whose inputs and weights hold
/// `−0.0` and `+0.0`: NumPy's `η * δ * x[:, None]` keeps the sign of a zero product, so the printed
/// steps hold `-0.` where a ger/axpy into `+0.0` would print `0.`.
@Suite struct QuizSignedZeroTests {
    /// Writes `count` cases (seeded) and, per case, what the lesson's quiz formulas print in NumPy.
    static let numpyScript = """
        import io, json, sys, contextlib
        import numpy as np

        def sigmoid(x):
            return 1 / (1 + np.exp(-x))

        rng = np.random.default_rng(int(sys.argv[1]))
        out = []
        for k in range(int(sys.argv[2])):
            n_in, n_hidden, n_out = (int(v) for v in rng.integers(1, 5, size=3))
            n_out = 1 if k % 2 == 0 else n_out
            def signed_zeros(a):
                pick = rng.random(a.shape)
                a = np.where(pick < 0.3, -0.0, a)
                return np.where(pick > 0.85, 0.0, a)
            x = signed_zeros(rng.normal(size=n_in))
            if k == 0:
                x = -np.abs(x) * 0.0     # every input -0.0
            w_ih = signed_zeros(rng.normal(size=(n_in, n_hidden)))
            w_ho = signed_zeros(rng.normal(size=(n_hidden, n_out)))
            target = rng.random(n_out)
            learnrate = 0.5
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                # The lesson's quiz_solution.py; with one output unit, its 1-D arrays.
                hidden_layer_input = np.dot(x, w_ih)
                hidden_layer_output = sigmoid(hidden_layer_input)
                if n_out == 1:
                    weights_hidden_output = w_ho[:, 0]
                    output = sigmoid(np.dot(hidden_layer_output, weights_hidden_output))
                    error = target[0] - output
                    output_error_term = error * output * (1 - output)
                    hidden_error_term = np.dot(output_error_term, weights_hidden_output) * \\
                        hidden_layer_output * (1 - hidden_layer_output)
                    delta_w_h_o = learnrate * output_error_term * hidden_layer_output
                else:
                    output = sigmoid(np.dot(hidden_layer_output, w_ho))
                    error = target - output
                    output_error_term = error * output * (1 - output)
                    hidden_error_term = np.dot(output_error_term, w_ho.T) * \\
                        hidden_layer_output * (1 - hidden_layer_output)
                    delta_w_h_o = learnrate * output_error_term * hidden_layer_output[:, None]
                delta_w_i_h = learnrate * hidden_error_term * x[:, None]
                print('Change in weights for hidden layer to output layer:')
                print(delta_w_h_o)
                print('Change in weights for input layer to hidden layer:')
                print(delta_w_i_h)
            case = {"name": "signed-zero-%d" % k, "description": "quiz with signed zeros",
                    "layers": [{"weights": w_ih.tolist(), "bias": None, "activation": "sigmoid"},
                               {"weights": w_ho.tolist(), "bias": None, "activation": "sigmoid"}],
                    "loss": "squared_error", "learning_rate": learnrate,
                    "inputs": [x.tolist()], "targets": [target.tolist()]}
            out.append({"case": json.dumps(case), "printed": buffer.getvalue()})
        print(json.dumps(out))
        """

    @Test(arguments: ["blas", "reference"])
    func quizPrintsWhatNumPyPrintsWithSignedZeros(backend: String) throws {
        let text = try Python.run(Self.numpyScript, ["10", "24"])
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: String]])
        #expect(cases.count == 24)
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var negativeZerosPrinted = 0
        for (k, entry) in cases.enumerated() {
            let file = dir.appendingPathComponent("case-\(k).json")
            try Data(try #require(entry["case"]).utf8).write(to: file)
            let printed = try #require(entry["printed"])
            let run = try Tool.run(["quiz", file.path, "--backend", backend])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardOutput == printed, "case \(k): \(entry["case"] ?? "")")
            for zero in ["-0. ", "-0.]", "-0.00000000e+00"] {
                negativeZerosPrinted += printed.components(separatedBy: zero).count - 1
            }
        }
        // The comparison must exercise the sign: NumPy printed negative zeros.
        #expect(negativeZerosPrinted > 0)
    }
}
