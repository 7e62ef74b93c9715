// ExportPlan.swift: a model as the operators ONNX and PyTorch run, in order — each layer's own operator, its activation, and the flattening and reshaping between image and flat values.
import Backprop

/// A model as the operators ONNX and PyTorch run, in order: one ``Step`` per PyTorch module of the
/// exported `torch.nn.Sequential` (an ONNX node or two each).
///
/// Here every layer reads flat rows (an image layer C·H·W values, NCHW); those tools keep images as
/// `[N, C, H, W]`. So the model's input is `[N, C, H, W]` when its first layer is conv2d, a pool or
/// flatten (`[N, inputs]` otherwise); a ``Step/flatten`` comes before a dense layer that follows an
/// image and at the end (the output is always `[N, outputs]`), and before the softmax of a conv2d
/// (which here runs over all of a sample's values); a ``Step/unflatten(_:)`` before an image layer
/// that follows flat values. A network built from `--layers` has neither: its own flatten layer is there.
/// The steps depend only on the layers' kinds and activations, so a file's metadata gives them.
enum ExportPlan {
    enum Step: Equatable {
        /// Layer l's own operator: `Linear`/`MatMul`, `Conv2d`/`Conv`, `MaxPool2d`/`MaxPool`,
        /// `AvgPool2d`/`AveragePool`, `Flatten`, `LeakyReLU`/`LeakyRelu`.
        case layer(Int)
        /// Layer l's activation: dense and conv2d layers only (identity included, as a PyTorch `Identity`).
        case activation(Int)
        /// From `[N, C, H, W]` to `[N, C·H·W]`; no layer of the model.
        case flatten
        /// From `[N, C·H·W]` to layer l's input `[N, C, H, W]`; no layer of the model.
        case unflatten(Int)
    }

    /// Whether layers of these kinds take an image, `[N, C, H, W]`.
    static func imageInput(_ kinds: [String]) -> Bool {
        ["conv2d", "maxpool2d", "avgpool2d", "flatten"].contains(kinds.first ?? "")
    }

    /// The steps of layers of `kinds` with `activations`, one each.
    static func steps(kinds: [String], activations: [Activation]) -> [Step] {
        var image = imageInput(kinds)
        var steps: [Step] = []
        for (l, kind) in kinds.enumerated() {
            switch kind {
            case "dense":
                if image { steps.append(.flatten) }
                steps += [.layer(l), .activation(l)]
                image = false
            case "flatten":
                steps.append(.layer(l))
                image = false
            case "leaky_relu":
                steps.append(.layer(l))
            default:  // conv2d and the pools
                if !image { steps.append(.unflatten(l)) }
                steps.append(.layer(l))
                image = true
                if kind == "conv2d" {
                    if activations[l] == .softmax { steps.append(.flatten); image = false }
                    steps.append(.activation(l))
                }
            }
        }
        if image { steps.append(.flatten) }
        return steps
    }

    /// The steps of `model`'s layers.
    static func steps(_ model: SavedModel) -> [Step] {
        steps(kinds: model.layers.map(\.kindName), activations: model.layers.map(\.activation))
    }

    /// The index of each layer's own step (its PyTorch module): the dense and conv2d layers' weights
    /// are `{index}.weight` in a state dict.
    static func moduleIndices(_ steps: [Step], layers: Int) -> [Int] {
        var indices = [Int](repeating: 0, count: layers)
        for (i, step) in steps.enumerated() { if case .layer(let l) = step { indices[l] = i } }
        return indices
    }

    /// One sample of layer `layer`'s input as an image `[C, H, W]` (conv2d, pools, flatten), else nil.
    static func imageShape(_ layer: Layer<Double>) -> [Int]? {
        switch layer {
        case .conv2d(let conv): [conv.shape.channels, conv.shape.height, conv.shape.width]
        case .maxPool2D(let pool): [pool.shape.channels, pool.shape.height, pool.shape.width]
        case .avgPool2D(let pool): [pool.shape.channels, pool.shape.height, pool.shape.width]
        case .flatten(let flatten): [flatten.channels, flatten.height, flatten.width]
        case .dense, .leakyReLU: nil
        }
    }

    /// One sample of the model's input: `[C, H, W]` when it is an image, else `[inputs]`.
    static func inputShape(_ model: SavedModel) -> [Int] {
        imageInput(model.layers.map(\.kindName)) ? imageShape(model.layers[0])! : [model.inputCount]
    }
}
