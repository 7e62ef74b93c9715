// PredictionStream.swift: `predict`'s loop: read a block of rows (on both cores when the input allows), run it through the network with OpenBLAS on both cores, write its outputs, next block.
import Backprop
import Datasets
import Dispatch
import Linalg

/// A model's forward pass over a stream of samples, a block of `blockRows` at a time, in the
/// precision of `Backend`: each block is read from a ``FeatureBlocks`` (scaled straight into
/// `Backend.Scalar`; a `.npy` input's rows by `threads` threads at once, each a share of the
/// block), run through the network by OpenBLAS on `threads` threads, and its outputs go to a
/// ``PredictionsFile`` in `Double` (exactly) before the next block is read. Memory holds a block,
/// whatever the length of the input.
///
/// OpenBLAS at the threads of the whole-matrix prediction (its default, one per core) computes each
/// row's outputs with the same operations whatever the number of rows, so the outputs are those of
/// `Network.predict` on the whole input, bit for bit. (Two workspaces, each half a block on
/// single-threaded OpenBLAS, were measured no faster, and round differently in the last bit.)
struct PredictionStream<Backend: LinearAlgebra> {
    typealias Scalar = Backend.Scalar
    let network: Network<Backend>
    /// Rows of a block.
    let blockRows: Int
    /// Threads reading a block, and OpenBLAS's threads.
    let threads: Int

    /// One block's input rows and buffers, for a number of rows.
    private final class Block {
        var input: Matrix<Scalar>
        let workspace: Workspace<Scalar>
        init(rows: Int, network: Network<Backend>) {
            input = Matrix(rows: rows, columns: network.inputCount)
            workspace = Workspace(batch: rows, layers: network.layers)
        }
    }

    /// Predicts the first `limit` rows of `blocks` (all of them when it holds fewer), scaled by
    /// `scaler`, writing their outputs to `sink` in order; returns the number of rows.
    /// - Throws: the first `DatasetError` of `blocks` (the blocks before it are written) or error of `sink`.
    func run(_ blocks: FeatureBlocks, scaler: FeatureScaler, limit: Int, into sink: PredictionsFile) throws -> Int {
        let f = network.inputCount
        let full = Block(rows: blockRows, network: network)
        var outputs = [Double](repeating: 0, count: blockRows * network.outputCount)
        let previous = BLASThreads.count
        BLASThreads.set(threads)
        defer { BLASThreads.set(previous) }
        var done = 0
        while done < limit {
            let wanted = min(blockRows, limit - done)
            let n = try full.input.elements.withUnsafeMutableBufferPointer { try read(blocks, wanted, scaler: scaler, into: $0) }
            guard n > 0 else { break }
            var block = full
            if n < blockRows {  // The last block: buffers of its own size.
                block = Block(rows: n, network: network)
                block.input.elements.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: full.input.elements, count: n * f) }
            }
            network.forward(block.input, workspace: block.workspace)
            let y = block.workspace.outputs.elements
            for k in y.indices { outputs[k] = Double(y[k]) }
            try outputs.withUnsafeBufferPointer { try sink.write(UnsafeBufferPointer(rebasing: $0[0..<y.count])) }
            done += n
            if n < wanted { break }
        }
        return done
    }

    /// Reads the next `min(wanted, rows left)` rows into `out`; returns how many. Rows that can be
    /// read in any order are read by `threads` threads, each a contiguous share.
    private func read(_ blocks: FeatureBlocks, _ wanted: Int, scaler: FeatureScaler, into out: UnsafeMutableBufferPointer<Scalar>) throws -> Int {
        guard threads > 1, let rows = blocks.storedRows else { return try blocks.read(upTo: wanted, scaler: scaler, into: out) }
        let first = blocks.rowsRead, n = min(wanted, rows - first), f = blocks.featureCount
        let share = (n + threads - 1) / threads
        // Each thread writes its own share of `out` and its own element of `errors`.
        nonisolated(unsafe) let errors = UnsafeMutableBufferPointer<(any Error)?>.allocate(capacity: threads)
        errors.initialize(repeating: nil)
        defer { errors.deinitialize().deallocate() }
        nonisolated(unsafe) let buffer = out, reader = blocks  // read(rows:) is safe on several threads.
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let range = min(n, t * share)..<min(n, (t + 1) * share)
            do {
                try reader.read(rows: (first + range.lowerBound)..<(first + range.upperBound), scaler: scaler,
                                into: UnsafeMutableBufferPointer(rebasing: buffer[(range.lowerBound * f)..<(range.upperBound * f)]))
            } catch { errors[t] = error }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }  // The first share's: the earliest row.
        blocks.skip(n)
        return n
    }
}
