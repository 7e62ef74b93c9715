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

extension Gradients {
    /// Turns this process's mean gradients and `loss` over `samples` of a `total`-sample batch into
    /// the whole batch's, summed over all processes in one ``GradientReduction/sum(_:)`` of `buffer`
    /// (every layer's ∂L/∂W and ∂L/∂b, then the loss: ``Network/parameterCount`` + 1 entries);
    /// returns the batch loss. A process with no samples sends zeros. The sum is in `Double` in
    /// either precision (exact from `Float`), rounded once to `Scalar` when unpacked.
    mutating func sumOverProcesses(loss: Double, samples: Int, of total: Int, _ reduction: any GradientReduction,
                                   buffer: inout [Double]) throws -> Double {
        let weight = Double(samples), n = Double(total)
        var loss = loss
        try buffer.withUnsafeMutableBufferPointer { buffer in
            var k = 0
            // Means times sample counts are sums.
            func pack(_ x: UnsafeBufferPointer<Scalar>) {
                for i in x.indices { buffer[k + i] = samples == 0 ? 0 : weight * Double(x[i]) }
                k += x.count
            }
            for l in weights.indices {
                weights[l].elements.withUnsafeBufferPointer(pack)
                biases[l]?.withUnsafeBufferPointer(pack)
            }
            buffer[k] = samples == 0 ? 0 : weight * loss
            try reduction.sum(buffer)
            k = 0
            func unpack(_ y: inout UnsafeMutableBufferPointer<Scalar>) {
                for i in y.indices { y[i] = Scalar(buffer[k + i] / n) }
                k += y.count
            }
            for l in weights.indices {
                weights[l].elements.withUnsafeMutableBufferPointer(unpack)
                if biases[l] != nil { biases[l]!.withUnsafeMutableBufferPointer(unpack) }
            }
            loss = buffer[k] / n
        }
        return loss
    }
}
