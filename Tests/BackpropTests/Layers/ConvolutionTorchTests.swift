// ConvolutionTorchTests.swift: image layers against PyTorch in float64: conv2d, max_pool2d and avg_pool2d forward passes and gradients (skipped when torch is not importable).
import Backprop
import Foundation
import Linalg
import Testing
import TestSupport

@Suite struct ConvolutionTorchTests {
    static let torchAvailable = (try? Python.run("import torch")) != nil

    /// PyTorch's answer for one layer: y = op(x), then y.backward(d): [y, x.grad, w.grad, b.grad] flattened
    /// (the last two empty for a pool).
    static func torch(_ kind: String, x: Matrix<Double>, input: [Int], weights: Matrix<Double>?, bias: [Double]?, kernel: [Int],
                      stride: [Int], padding: [Int], d: Matrix<Double>) throws -> [[Double]] {
        let script = """
            import json, sys, torch
            import torch.nn.functional as F
            c = json.load(open(sys.argv[1]))
            x = torch.tensor(c["x"], dtype=torch.float64).reshape([-1] + c["input"]).requires_grad_()
            if c["kind"] == "conv2d":
                w = torch.tensor(c["w"], dtype=torch.float64).reshape([len(c["b"]), c["input"][0]] + c["kernel"]).requires_grad_()
                b = torch.tensor(c["b"], dtype=torch.float64).requires_grad_()
                y = F.conv2d(x, w, b, stride=c["stride"], padding=c["padding"])
            elif c["kind"] == "maxpool2d":
                y = F.max_pool2d(x, c["kernel"], stride=c["stride"])
            else:
                y = F.avg_pool2d(x, c["kernel"], stride=c["stride"])
            y.backward(torch.tensor(c["d"], dtype=torch.float64).reshape(y.shape))
            grads = [w.grad.flatten().tolist(), b.grad.tolist()] if c["kind"] == "conv2d" else [[], []]
            print(json.dumps([y.flatten().tolist(), x.grad.flatten().tolist()] + grads))
            """
        let input: [String: Any] = ["kind": kind, "x": x.elements, "input": input, "w": weights?.elements ?? [], "b": bias ?? [],
                                    "kernel": kernel, "stride": stride, "padding": padding, "d": d.elements]
        guard let out = try Python.json(script, input: input) as? [[Double]], out.count == 4 else {
            throw Python.Failure(description: "unexpected output from the torch script")
        }
        return out
    }

    static let layers: [Layer<Double>] = {
        var rng = SeededGenerator(seed: 41)
        return [
            .conv2d(Conv2D(input: (2, 7, 5), weights: .randomNormal(rows: 3, columns: 18, using: &rng), bias: [0.5, -1, 0.25],
                           kernel: (3, 3), stride: (2, 2), padding: (1, 1), activation: .identity)),
            .conv2d(Conv2D(input: (3, 4, 6), weights: .randomNormal(rows: 2, columns: 3 * 2 * 3, using: &rng), bias: [0.1, 0.2],
                           kernel: (2, 3), stride: (1, 2), padding: (0, 1), activation: .identity)),
            .maxPool2D(MaxPool2D(input: (2, 7, 5), window: (3, 2), stride: (2, 1))),
            .maxPool2D(MaxPool2D(input: (3, 4, 6), window: (2, 2))),
            .avgPool2D(AvgPool2D(input: (2, 7, 5), window: (3, 2), stride: (2, 1))),
            .avgPool2D(AvgPool2D(input: (3, 5, 4), window: (2, 2))),
        ]
    }()

    @Test(.enabled(if: torchAvailable, "PyTorch is not importable by python3 (pip install torch): skipped"), arguments: layers.indices)
    func forwardAndGradientsMatchPyTorch(index: Int) throws {
        let layer = Self.layers[index], batch = 3
        var rng = SeededGenerator(seed: UInt64(index))
        let x = Matrix<Double>.randomNormal(rows: batch, columns: layer.inputCount, using: &rng)
        let d = Matrix<Double>.randomNormal(rows: batch, columns: layer.outputCount, using: &rng)
        let geometry: ConvolutionShape
        switch layer {
        case .conv2d(let conv): geometry = conv.shape
        case .maxPool2D(let pool): geometry = pool.shape
        case .avgPool2D(let pool): geometry = pool.shape
        default: Issue.record("not an image layer"); return
        }
        let isConv = layer.kindName == "conv2d"
        let expected = try Self.torch(layer.kindName, x: x, input: [geometry.channels, geometry.height, geometry.width],
                                      weights: isConv ? layer.weights : nil, bias: layer.bias,
                                      kernel: [geometry.kernelHeight, geometry.kernelWidth], stride: [geometry.strideHeight, geometry.strideWidth],
                                      padding: [geometry.paddingHeight, geometry.paddingWidth], d: d)
        let tolerance = Tolerance(absolute: 1e-12, relative: 1e-10)
        for (label, result) in [("blas", try ConvolutionFixtures.passes(layer, x, d, on: BLAS<Double>.self)),
                                ("reference", try ConvolutionFixtures.passes(layer, x, d, on: Reference<Double>.self))] {
            #expect(Approximate.firstMismatch(result.outputs.elements, expected[0], tolerance) == nil, "\(label) \(layer.kindName): y")
            #expect(Approximate.firstMismatch(result.inputErrors.elements, expected[1], tolerance) == nil, "\(label) \(layer.kindName): x.grad")
            if isConv {
                // ∂L/∂θ of the batch mean with −∂ℓ/∂y = d is −(1/n)·(torch's gradient of Σ d·y).
                let n = Double(batch)
                #expect(Approximate.firstMismatch(result.gradients.weights.elements.map { -n * $0 }, expected[2], tolerance) == nil,
                        "\(label): w.grad")
                #expect(Approximate.firstMismatch(result.gradients.bias!.map { -n * $0 }, expected[3], tolerance) == nil, "\(label): b.grad")
            }
        }
        #expect(expected[1].contains { $0 != 0 })
    }
}
