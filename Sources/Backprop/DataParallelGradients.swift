import Datasets
import Dispatch
import Linalg

/// Computes a batch's gradients on several threads: each worker takes a contiguous slice of the
/// batch, runs forward and backward on it with its own buffers, and the slice gradients are
/// combined weighted by slice size. With single-threaded BLAS inside each worker, two workers
/// use two cores on shapes where OpenBLAS's own threading gains little.
///
/// Buffers are kept per slice size, so after the first epoch no batch allocates.
final class DataParallelGradients<Backend: LinearAlgebra> {
    /// One worker's buffers for one slice size.
    final class Buffers: @unchecked Sendable {  // Each is touched by one thread at a time.
        let workspace: Workspace
        var gradients: Gradients
        var inputs: Matrix, targets: Matrix
        var loss = 0.0
        var rng = SeededGenerator(seed: 0)

        init(batch: Int, layers: [DenseLayer]) {
            workspace = Workspace(batch: batch, layers: layers)
            gradients = Gradients(zerosLike: layers)
            inputs = Matrix(rows: batch, columns: layers[0].fanIn)
            targets = Matrix(rows: batch, columns: layers[layers.count - 1].fanOut)
        }
    }

    let workers: Int
    /// Slices smaller than this are not worth a thread.
    let minimumSlice = 16
    private var cache: [[Int: Buffers]]

    init(workers: Int) {
        precondition(workers >= 1, "DataParallelGradients: \(workers) workers")
        self.workers = workers
        cache = Array(repeating: [:], count: workers)
    }

    private func buffers(worker: Int, batch: Int, layers: [DenseLayer]) -> Buffers {
        if let b = cache[worker][batch] { return b }
        let b = Buffers(batch: batch, layers: layers)
        cache[worker][batch] = b
        return b
    }

    /// Writes ∂L/∂W and ∂L/∂b of the mean loss over `rows` of `data` into `gradients` and returns
    /// that loss. Dropout masks come from generators seeded by `rng` (one draw per worker).
    func compute(_ network: Network<Backend>, data: Dataset, rows: ArraySlice<Int>, scaler: FeatureScaler,
                 dropout: Double, rng: inout SeededGenerator, into gradients: inout Gradients) -> Double {
        let n = rows.count
        let used = max(1, min(workers, n / minimumSlice))
        var slices: [Buffers] = []
        slices.reserveCapacity(used)
        var start = rows.startIndex
        for w in 0..<used {
            let size = n / used + (w < n % used ? 1 : 0)
            let b = buffers(worker: w, batch: size, layers: network.layers)
            let slice = rows[start..<(start + size)]
            b.inputs.elements.withUnsafeMutableBufferPointer { data.copyFeatures(rows: slice, scaler: scaler, into: $0) }
            Network<Backend>.oneHot(data, slice, into: &b.targets)
            b.rng = SeededGenerator(seed: rng.next())
            slices.append(b)
            start += size
        }
        let parts = slices
        let run: @Sendable (Int) -> Void = { w in
            let b = parts[w]
            b.loss = network.gradients(inputs: b.inputs, targets: b.targets, workspace: b.workspace,
                                       into: &b.gradients, dropout: dropout, using: &b.rng)
        }
        if used == 1 {
            run(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: used, execute: run)
        }
        // Combine in worker order, so the sum is the same every run.
        var loss = 0.0
        for (w, b) in slices.enumerated() {
            let weight = Double(b.workspace.batch) / Double(n)
            loss += weight * b.loss
            for l in gradients.weights.indices {
                Self.accumulate(weight, b.gradients.weights[l].elements, into: &gradients.weights[l].elements, first: w == 0)
                if gradients.biases[l] != nil {
                    Self.accumulate(weight, b.gradients.biases[l]!, into: &gradients.biases[l]!, first: w == 0)
                }
            }
        }
        return loss
    }

    /// y ← α·x (first worker) or y ← y + α·x.
    private static func accumulate(_ alpha: Double, _ x: [Double], into y: inout [Double], first: Bool) {
        if first && alpha == 1 {
            y.withUnsafeMutableBufferPointer { y in x.withUnsafeBufferPointer { x in
                y.baseAddress!.update(from: x.baseAddress!, count: x.count)
            } }
            return
        }
        if first { Backend.scal(alpha: 0, &y) }
        Backend.axpy(alpha: alpha, x, into: &y)
    }
}
