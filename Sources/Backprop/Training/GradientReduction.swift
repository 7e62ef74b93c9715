// GradientReduction.swift: the sum of gradients across the processes of a data-parallel run (MPI's all-reduce, or one process).
/// Sums gradients across the processes of a data-parallel run (one of them is this one), as
/// `MPI_Allreduce` does: the ``Trainer`` takes one to train on `size` processes at once.
///
/// Every process holds the whole model and the whole data set, shuffles it identically, and takes
/// the same global batch; process `rank` computes the gradient sum over its ``shard(of:)`` of that
/// batch, ``sum(_:)`` adds the sums of all processes, and every process applies the same step.
/// `BackpropMPI` conforms over Open MPI; any transport that sums buffers in place will do.
public protocol GradientReduction: AnyObject {
    /// This process's index, 0..<``size``.
    var rank: Int { get }
    /// The number of processes taking part.
    var size: Int { get }
    /// Replaces `buffer` by its element-wise sum over all processes. Every process calls it with a
    /// buffer of the same length, and every process gets the same sum.
    func sum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// Whether every process passed the same `value` (a checksum of its weights).
    func allEqual(_ value: UInt64) throws -> Bool
    /// Whether ``startSum(_:)`` returns before its sum is done, so that the ``Trainer`` starts each
    /// layer's sum as soon as the backward pass has that layer's gradients and waits for them all in
    /// ``finishSums()`` (the exchange overlapped with the backward pass of the layers below). Default
    /// false: one ``sum(_:)`` of every gradient after the backward pass.
    var overlapsSums: Bool { get }
    /// Starts replacing `part` by its element-wise sum over all processes, as ``sum(_:)`` does, and may
    /// return before that is done: `part` must stay allocated, and be neither read nor written, until
    /// ``finishSums()`` returns. Every process starts the same parts, of the same lengths, in the same
    /// order. Default: ``sum(_:)``.
    func startSum(_ part: UnsafeMutableBufferPointer<Double>) throws
    /// Returns once every part started by ``startSum(_:)`` since the last call is summed. Default: at once.
    func finishSums() throws
}

extension GradientReduction {
    /// False: one ``sum(_:)`` per step after the backward pass.
    public var overlapsSums: Bool { false }
    /// ``sum(_:)`` of `part`, done when it returns.
    public func startSum(_ part: UnsafeMutableBufferPointer<Double>) throws { try sum(part) }
    /// Nothing to wait for: every ``startSum(_:)`` was done when it returned.
    public func finishSums() throws {}
}

extension GradientReduction {
    /// The contiguous positions of a `count`-sample global batch this process computes: the first
    /// `count % size` processes take one sample more than the rest (possibly none, for a small batch).
    public func shard(of count: Int) -> Range<Int> {
        Self.shard(of: count, rank: rank, size: size)
    }

    /// Process `rank`'s shard of a `count`-sample batch split `size` ways.
    public static func shard(of count: Int, rank: Int, size: Int) -> Range<Int> {
        precondition(size >= 1 && rank >= 0 && rank < size, "shard: rank \(rank) of \(size)")
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }
}

extension ParameterArrays {
    /// Where layer `l`'s ∂L/∂W then ∂L/∂b start in the exchange buffer of a distributed run: the layers
    /// from the output down (the order the backward pass finishes them), then the loss, so the last
    /// part, layer 0's and the loss, is contiguous (``Network/parameterCount`` + 1 entries in all).
    func exchangeOffset(layer l: Int) -> Int {
        var k = 0
        for m in weights.indices where m > l { k += weights[m].elements.count + (biases[m]?.count ?? 0) }
        return k
    }

    /// Writes `samples` times layer `l`'s mean ∂L/∂W and ∂L/∂b (their sums over the samples; zeros
    /// when `samples` is 0) into `buffer` at ``exchangeOffset(layer:)``, and returns that part of `buffer`.
    func pack(layer l: Int, samples: Int, into buffer: UnsafeMutableBufferPointer<Double>) -> UnsafeMutableBufferPointer<Double> {
        let start = exchangeOffset(layer: l), weight = Double(samples)
        var k = start
        func pack(_ x: UnsafeBufferPointer<Scalar>) {
            for i in x.indices { buffer[k + i] = samples == 0 ? 0 : weight * Double(x[i]) }
            k += x.count
        }
        weights[l].elements.withUnsafeBufferPointer(pack)
        biases[l]?.withUnsafeBufferPointer(pack)
        return UnsafeMutableBufferPointer(rebasing: buffer[start..<k])
    }

    /// Reads every layer's gradients from a summed exchange `buffer` divided by the batch's `total`
    /// samples (the means again), and returns its loss entry divided likewise.
    mutating func unpack(_ buffer: UnsafeMutableBufferPointer<Double>, total: Int) -> Double {
        let n = Double(total)
        for l in weights.indices {
            var k = exchangeOffset(layer: l)
            func unpack(_ y: inout UnsafeMutableBufferPointer<Scalar>) {
                for i in y.indices { y[i] = Scalar(buffer[k + i] / n) }
                k += y.count
            }
            weights[l].elements.withUnsafeMutableBufferPointer(unpack)
            if biases[l] != nil { biases[l]!.withUnsafeMutableBufferPointer(unpack) }
        }
        return buffer[buffer.count - 1] / n
    }

    /// Turns this process's mean gradients and `loss` over `samples` of a `total`-sample batch into
    /// the whole batch's, summed over all processes in one ``GradientReduction/sum(_:)`` of `buffer`
    /// (``Network/parameterCount`` + 1 entries, laid out as ``exchangeOffset(layer:)`` says); returns
    /// the batch loss. A process with no samples sends zeros. The sums are in `Double` in either
    /// precision (exact from `Float`), rounded once to `Scalar` when unpacked.
    mutating func sumOverProcesses(loss: Double, samples: Int, of total: Int, _ reduction: any GradientReduction,
                                   buffer: inout [Double]) throws -> Double {
        try buffer.withUnsafeMutableBufferPointer { buffer in
            for l in weights.indices { _ = pack(layer: l, samples: samples, into: buffer) }
            buffer[buffer.count - 1] = samples == 0 ? 0 : Double(samples) * loss
            try reduction.sum(buffer)
            return unpack(buffer, total: total)
        }
    }
}
