// Dropout.swift: inverted dropout on one hidden layer's output.
import Kernels
import Linalg

/// Inverted dropout on one hidden layer's output: its forward (draw a mask, A ⊙ mask), its backward
/// (the error terms through the same mask) and the state kept between the two. Part of the layer's
/// ``LayerBuffers``; its matrices are allocated on first use and reused.
final class Dropout<Scalar: BLASScalar> {
    /// Entries 0 (dropped) or 1/(1 − rate) (kept), `batch × fanOut`.
    @exclusivity(unchecked) private(set) var mask: Matrix<Scalar>?
    /// A ⊙ mask: what the next layer reads while ``isActive``.
    @exclusivity(unchecked) private(set) var dropped: Matrix<Scalar>?
    /// Whether the last forward pass dropped units here.
    @exclusivity(unchecked) private(set) var isActive = false
    /// Each row's generator state (four words a row) while the kernel draws the mask.
    @exclusivity(unchecked) private var states: [UInt64] = []

    /// The forward pass: with `rate` > 0, draws a fresh mask, row by row from each sample's own
    /// generator (``DropoutMasks/generator(sample:layer:)``), and writes A ⊙ mask into ``dropped``;
    /// with `rate` 0 it only records that nothing is dropped.
    /// `a` is lent (`inout`, not changed): a pass that drops nothing costs its caller one test, no copy.
    @inline(__always)
    func forward(_ a: inout Matrix<Scalar>, rate: Double, masks: DropoutMasks, layer: Int) {
        isActive = rate > 0
        guard isActive else { return }
        draw(a, rate: rate, masks: masks, layer: layer)
    }

    /// The mask and A ⊙ mask, for a pass that drops with `rate` > 0.
    private func draw(_ a: Matrix<Scalar>, rate: Double, masks: DropoutMasks, layer: Int) {
        let (rows, columns) = (a.rows, a.columns)
        if mask == nil {
            mask = Matrix(rows: rows, columns: columns)
            dropped = Matrix(rows: rows, columns: columns)
            states = [UInt64](repeating: 0, count: 4 * rows)
        }
        guard rows > 0 && columns > 0 else { return }
        // Each row's generator, run by the kernel eight rows at a time in vector lanes.
        for row in 0..<rows {
            (states[4 * row], states[4 * row + 1], states[4 * row + 2], states[4 * row + 3]) =
                masks.generator(sample: row, layer: layer).stateWords
        }
        let keep = Scalar(1 / (1 - rate))
        a.elements.withUnsafeBufferPointer { a in
            mask!.elements.withUnsafeMutableBufferPointer { m in
                dropped!.elements.withUnsafeMutableBufferPointer { d in
                    states.withUnsafeMutableBufferPointer { s in
                        Kernel.dropout(states: s, a, columns: columns, rate: rate, keep: keep, mask: m, dropped: d)
                    }
                }
            }
        }
    }

    /// `body` on A ⊙ mask in place, after a forward pass that dropped (``isActive``).
    @inline(__always)
    func withDropped<R>(_ body: (inout Matrix<Scalar>) -> R) -> R { body(&dropped!) }

    /// The backward pass: multiplies `errorTerms` (−∂ℓ/∂ of the dropped output, `batch × fanOut`)
    /// by the last forward pass's mask, so a dropped unit passes nothing back and a kept one is scaled
    /// like its output. Does nothing when that pass dropped nothing.
    @inline(__always)
    func backward(_ errorTerms: inout Matrix<Scalar>) {
        guard isActive else { return }
        errorTerms.elements.withUnsafeMutableBufferPointer { d in
            mask!.elements.withUnsafeBufferPointer { Kernel.multiply(inPlace: d, by: $0) }
        }
    }
}

/// The dropout rate on each layer's output in a training pass (inverted dropout: a unit is zeroed with
/// its rate and the others scaled by 1/(1 − rate); evaluation and prediction never drop).
///
/// Either one rate for every layer's output but the last (``hidden``, `--dropout P`), or one rate per
/// layer (``perLayer``, the `dropout P` words of `--layers`: a rate on the output of the layer before
/// the word, 0 elsewhere). A float literal is the first form. In a checkpoint's configuration the first
/// form is a number and the second an array of numbers.
public struct DropoutRates: Sendable, Equatable, Codable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The rate on every layer's output but the last, used when ``perLayer`` is nil.
    public var hidden: Double
    /// One rate per layer of the network, the output layer's 0; nil to use ``hidden``.
    public var perLayer: [Double]?

    /// `rate` on every layer's output but the last.
    public init(hidden rate: Double) { (hidden, perLayer) = (rate, nil) }
    /// `rates[l]` on layer l's output, one per layer, the last 0.
    public init(perLayer rates: [Double]) { (hidden, perLayer) = (0, rates) }
    /// `value` on every layer's output but the last (`config.dropout = 0.2`).
    public init(floatLiteral value: Double) { self.init(hidden: value) }
    /// `value` on every layer's output but the last (`config.dropout = 0` for none).
    public init(integerLiteral value: Int) { self.init(hidden: Double(value)) }

    /// No dropout.
    public static let none = DropoutRates(hidden: 0)

    /// The rate on layer `layer`'s output in a network whose last layer is `last`.
    @inline(__always)
    public func rate(layer: Int, last: Int) -> Double {
        if let perLayer { return perLayer[layer] }
        return layer < last ? hidden : 0
    }

    /// Why these rates do not fit a network of `layers` layers (any count when nil), or nil.
    public func problem(layers: Int? = nil) -> String? {
        guard let perLayer else {
            return hidden >= 0 && hidden < 1 ? nil : "dropout must be in [0, 1), got \(hidden)"
        }
        if let bad = perLayer.firstIndex(where: { !($0 >= 0 && $0 < 1) }) {
            return "dropout on layer \(bad) must be in [0, 1), got \(perLayer[bad])"
        }
        if let layers, perLayer.count != layers {
            return "dropout gives \(perLayer.count) per-layer rates for a network of \(layers) layers"
        }
        if let last = perLayer.last, last != 0 { return "dropout on the output layer (\(last)) is not allowed: it would drop the network's outputs" }
        return nil
    }

    /// "no dropout", "dropout 0.2" (every layer's output but the last) or "dropout 0.3 after layer 7"
    /// (1-based layers; several joined by commas).
    public var description: String {
        guard let perLayer else { return hidden > 0 ? "dropout \(hidden)" : "no dropout" }
        let placed = perLayer.indices.filter { perLayer[$0] > 0 }.map { "\(perLayer[$0]) after layer \($0 + 1)" }
        return placed.isEmpty ? "no dropout" : "dropout " + placed.joined(separator: ", ")
    }

    /// Reads a number (one rate for every layer but the last) or an array (one rate per layer).
    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let rate = try? value.decode(Double.self) { self.init(hidden: rate) } else { self.init(perLayer: try value.decode([Double].self)) }
    }

    /// Writes ``hidden`` as a number, or ``perLayer`` as an array of numbers.
    public func encode(to encoder: any Encoder) throws {
        var value = encoder.singleValueContainer()
        if let perLayer { try value.encode(perLayer) } else { try value.encode(hidden) }
    }
}

/// Where a training pass's dropout masks come from: sample `firstSample + i` of a batch (row i of
/// the pass) draws its mask in hidden layer l from a generator seeded by (`seed`, its position in the
/// batch, l). The trainer draws one `seed` per batch, so the masks do not depend on how many threads
/// or processes share the batch.
public struct DropoutMasks: Sendable, Equatable {
    /// One per batch.
    public var seed: UInt64
    /// The position in the batch of the pass's first row.
    public var firstSample: Int

    /// Masks for a batch drawn with `seed`, for a pass whose first row is sample `firstSample` of the batch.
    public init(seed: UInt64, firstSample: Int = 0) {
        self.seed = seed
        self.firstSample = firstSample
    }

    /// The masks of a pass that starts `offset` samples further into the same batch.
    public func advanced(by offset: Int) -> DropoutMasks {
        DropoutMasks(seed: seed, firstSample: firstSample + offset)
    }

    /// The generator of row `sample` of the pass in hidden layer `layer`. SeededGenerator's
    /// SplitMix64 seeding spreads the combined seed over its state, so nearby positions give
    /// unrelated streams.
    func generator(sample: Int, layer: Int) -> SeededGenerator {
        let position = UInt64(firstSample + sample)
        return SeededGenerator(seed: seed ^ (position &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(layer) &* 0xD1B5_4A32_D192_ED03))
    }
}
