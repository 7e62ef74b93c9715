// LayerSpec.swift: `train --layers SPEC`, a network as a comma-separated list of layer words, parsed and its shapes checked before any work.
import ArgumentParser
import Backprop
import Linalg

/// A network written as layer words read left to right, e.g.
/// `"conv 32 3x3 same, relu, maxpool 2, flatten, dense 128, relu, dense 10, softmax"`:
/// `conv FILTERS KxK [stride S] [pad P|same|valid] [nobias]`, `maxpool K [stride S]`,
/// `avgpool K [stride S]`, `flatten`, `dense N [nobias]`, an activation name
/// (identity, sigmoid, tanh, relu, softmax) that applies to the conv or dense layer before it, and
/// `dropout P`, inverted dropout at rate P on the output of the layer before it while training.
/// Every problem names the word (its place in the list and its text) and the shapes that met.
struct LayerSpec {
    /// One layer word, with where it stood.
    struct Word {
        enum Kind {
            case conv(filters: Int, kernel: Int, stride: Int, padding: Padding, bias: Bool)
            case pool(max: Bool, window: Int, stride: Int)
            case flatten
            case dense(outputs: Int, bias: Bool)
            case activation(Activation)
            case dropout(Double)
        }
        /// 1-based place in the list, and the word as written.
        let position: Int, text: String
        let kind: Kind
    }

    /// A convolution's zero padding: a number each side, `same` (the output keeps the input's size
    /// at stride 1: (K − 1)/2 for an odd K) or `valid` (none).
    enum Padding { case size(Int), same, valid }

    let text: String
    let words: [Word]

    /// The largest size a word may give (filters, kernel, stride, padding, outputs).
    static let largestSize = 1 << 16

    /// Parses `text`; a word that is not one of the forms above is an error naming it.
    init(_ text: String) throws {
        self.text = text
        var words: [Word] = []
        for (i, raw) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let word = raw.trimmingCharacters(in: .whitespaces)
            words.append(Word(position: i + 1, text: word, kind: try Self.kind(of: word, position: i + 1)))
        }
        self.words = words
    }

    /// Whether any word is a convolution, a pool or a flatten (the network needs an image shape).
    var hasImageLayers: Bool {
        words.contains {
            switch $0.kind {
            case .dense, .activation, .dropout: false
            case .conv, .pool, .flatten: true
            }
        }
    }

    /// Whether any word is `dropout P` (the spec then places every dropout of the run).
    var hasDropout: Bool { words.contains { if case .dropout = $0.kind { true } else { false } } }

    private static func fail(_ position: Int, _ word: String, _ problem: String) -> ValidationError {
        ValidationError("--layers: word \(position) (\"\(word.prefix(60))\"): \(problem)")
    }

    private static func kind(of word: String, position: Int) throws -> Word.Kind {
        let parts = word.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        func size(_ text: String, _ what: String) throws -> Int {
            guard let n = Int(text), n >= 1, n <= largestSize else {
                throw fail(position, word, "\(what) '\(text.prefix(20))' is not a whole number from 1 to \(largestSize)")
            }
            return n
        }
        /// The options after the fixed words: pairs `stride S` and `pad P` (P a number, same or valid), and the words `same`, `valid`, `nobias`.
        func options(_ rest: ArraySlice<String>, allowed: Set<String>) throws -> (stride: Int?, padding: Padding?, bias: Bool) {
            var (stride, padding, bias): (Int?, Padding?, Bool) = (nil, nil, true)
            var i = rest.startIndex
            while i < rest.endIndex {
                let option = rest[i]
                guard allowed.contains(option) else {
                    throw fail(position, word, "'\(option.prefix(20))' is not an option here (expected \(allowed.sorted().joined(separator: ", ")))")
                }
                if option == "nobias" { bias = false; i += 1; continue }
                if option == "same" || option == "valid" { padding = option == "same" ? .same : .valid; i += 1; continue }
                guard i + 1 < rest.endIndex else { throw fail(position, word, "\(option) needs a value") }
                let value = rest[i + 1]
                if option == "stride" { stride = try size(value, "stride") }
                else { padding = value == "same" ? .same : value == "valid" ? .valid : .size(Int(value).map { $0 >= 0 ? $0 : -1 } ?? -1) }
                if case .size(let p)? = padding, p < 0 || p > largestSize {
                    throw fail(position, word, "pad '\(value.prefix(20))' is not same, valid or a whole number from 0 to \(largestSize)")
                }
                i += 2
            }
            return (stride, padding, bias)
        }
        switch parts.first {
        case "conv"?:
            guard parts.count >= 3 else { throw fail(position, word, "expected conv FILTERS KxK [stride S] [pad P|same|valid] [nobias]") }
            let kernel = parts[2].split(separator: "x", omittingEmptySubsequences: false)
            guard kernel.count == 2, kernel[0] == kernel[1] else { throw fail(position, word, "kernel '\(parts[2].prefix(20))' is not KxK (a square kernel, e.g. 3x3)") }
            let o = try options(parts[3...], allowed: ["stride", "pad", "same", "valid", "nobias"])
            return .conv(filters: try size(parts[1], "filters"), kernel: try size(String(kernel[0]), "kernel"), stride: o.stride ?? 1,
                         padding: o.padding ?? .valid, bias: o.bias)
        case "maxpool"?, "avgpool"?:
            guard parts.count >= 2 else { throw fail(position, word, "expected \(parts[0]) K [stride S]") }
            let window = try size(parts[1], "window")
            let o = try options(parts[2...], allowed: ["stride"])
            return .pool(max: parts[0] == "maxpool", window: window, stride: o.stride ?? window)
        case "flatten"?:
            guard parts.count == 1 else { throw fail(position, word, "flatten takes no values") }
            return .flatten
        case "dense"?:
            guard parts.count >= 2 else { throw fail(position, word, "expected dense N [nobias]") }
            let o = try options(parts[2...], allowed: ["nobias"])
            return .dense(outputs: try size(parts[1], "outputs"), bias: o.bias)
        case "dropout"?:
            guard parts.count == 2, let rate = Double(parts[1]), rate > 0, rate < 1 else {
                throw fail(position, word, "expected dropout P, a rate P with 0 < P < 1")
            }
            return .dropout(rate)
        case let name? where parts.count == 1 && Activation(rawValue: name) != nil:
            return .activation(Activation(rawValue: name)!)
        default:
            throw fail(position, word, "not a layer word (expected conv, maxpool, avgpool, flatten, dense, dropout, an activation: "
                       + Activation.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
    }
}

extension LayerSpec {
    /// The layers for samples of `input` shape (`[C, H, W]`, or `[N]` without image layers), their
    /// weights drawn by `initializer` (the standard one for each layer's activation when nil),
    /// biases zero; the last layer must write `classes` values. Each shape problem names the word
    /// and the shapes that met. `dropout` holds each layer's output dropout rate (0 without a word).
    func layers(input: [Int], classes: Int, initializer: Initializer?,
                using rng: inout SeededGenerator) throws -> (layers: [Layer<Double>], dropout: [Double]) {
        var shape = input
        var layers: [Layer<Double>] = []
        var dropout: [Double] = []
        var i = 0
        while i < words.count {
            let word = words[i]
            func fail(_ problem: String) -> ValidationError { Self.fail(word.position, word.text, problem) }
            let shown = shape.map(String.init).joined(separator: "×")
            // A conv or dense layer takes the activation word right after it (the identity without one).
            var activation = Activation.identity, takesNext = false
            if case .conv = word.kind, i + 1 < words.count, case .activation(let next) = words[i + 1].kind { (activation, takesNext) = (next, true) }
            if case .dense = word.kind, i + 1 < words.count, case .activation(let next) = words[i + 1].kind { (activation, takesNext) = (next, true) }
            /// Weights of `fanIn × fanOut` drawn for the layer's activation (the rule given, or the standard one).
            func drawn(fanIn: Int, fanOut: Int) -> Matrix<Double> {
                (initializer ?? .standard(for: activation)).weights(fanIn: fanIn, fanOut: fanOut, using: &rng)
            }
            let previous = i > 0 ? "word \(words[i - 1].position) (\"\(words[i - 1].text.prefix(40))\")" : "the input"
            switch word.kind {
            case .activation:
                throw fail("an activation follows a conv or dense layer, not \(previous)")
            case .dropout(let rate):
                guard !layers.isEmpty else { throw fail("dropout follows a layer (it drops that layer's outputs), not the input") }
                guard dropout[layers.count - 1] == 0 else { throw fail("a layer's output takes one dropout, and \(previous) is one already") }
                dropout[layers.count - 1] = rate
                i += 1
                continue
            case .conv(let filters, let k, let stride, let padding, let bias):
                guard shape.count == 3 else { throw fail("a convolution needs a C×H×W input; it gets \(shown) (give --input-shape, or put it before flatten)") }
                let pad: Int
                switch padding {
                case .size(let p): pad = p
                case .valid: pad = 0
                case .same:
                    guard k % 2 == 1, stride == 1 else { throw fail("same padding needs an odd kernel and stride 1") }
                    pad = (k - 1) / 2
                }
                guard k <= shape[1] + 2 * pad, k <= shape[2] + 2 * pad else {
                    throw fail("kernel \(k)×\(k) is larger than its input \(shown) padded by \(pad)")
                }
                // F rows of C·kh·kw, drawn with fan-in C·kh·kw.
                let conv = Conv2D<Double>(input: (shape[0], shape[1], shape[2]), weights: drawn(fanIn: shape[0] * k * k, fanOut: filters).transposed,
                                          bias: bias ? [Double](repeating: 0, count: filters) : nil, kernel: (k, k), stride: (stride, stride),
                                          padding: (pad, pad), activation: activation)
                layers.append(.conv2d(conv))
                shape = [filters, conv.shape.outputHeight, conv.shape.outputWidth]
            case .pool(let max, let window, let stride):
                guard shape.count == 3 else { throw fail("a pool needs a C×H×W input; it gets \(shown)") }
                guard window <= shape[1], window <= shape[2] else { throw fail("window \(window)×\(window) is larger than its input \(shown)") }
                let input = (channels: shape[0], height: shape[1], width: shape[2])
                let layer: Layer<Double> = max ? .maxPool2D(MaxPool2D(input: input, window: (window, window), stride: (stride, stride)))
                                               : .avgPool2D(AvgPool2D(input: input, window: (window, window), stride: (stride, stride)))
                layers.append(layer)
                shape = layer.outputShape
            case .flatten:
                guard shape.count == 3 else { throw fail("flatten needs a C×H×W input; it gets \(shown)") }
                layers.append(.flatten(Flatten(input: (shape[0], shape[1], shape[2]))))
                shape = [shape.reduce(1, *)]
            case .dense(let outputs, let bias):
                guard shape.count == 1 else { throw fail("a dense layer after a \(shown) output needs a flatten first") }
                layers.append(.dense(weights: drawn(fanIn: shape[0], fanOut: outputs), bias: bias ? [Double](repeating: 0, count: outputs) : nil,
                                     activation: activation))
                shape = [outputs]
            }
            if shape.reduce(1.0, { $0 * Double($1) }) > Double(1 << 24) {
                throw fail("its output \(shape.map(String.init).joined(separator: "×")) is more than 2^24 values a sample")
            }
            dropout.append(0)
            i += takesNext ? 2 : 1  // Past the layer, and past the activation word it took.
        }
        guard let output = layers.last, output.outputCount == classes else {
            throw ValidationError("--layers: the last layer writes \(layers.last?.outputCount ?? 0) values; the data has \(classes) classes")
        }
        if dropout.last! > 0, let word = words.last(where: { if case .dropout = $0.kind { true } else { false } }) {
            throw Self.fail(word.position, word.text, "dropout on the output layer would drop the network's outputs: put it before the last layer")
        }
        return (layers, dropout)
    }
}
