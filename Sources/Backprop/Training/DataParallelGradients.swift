// DataParallelGradients.swift: a batch's gradients computed on several threads, each on a slice of the rows, then summed.
import Datasets
import Kernels
import Linalg

/// Computes a batch's gradients on several threads: each worker takes a contiguous slice of the
/// batch, converts its rows to the network's precision, runs forward and backward on them with its own buffers, and
/// the slice gradients are combined weighted by slice size. With single-threaded BLAS inside each
/// worker, two workers use two cores on shapes where OpenBLAS's own threading gains little.
///
/// Buffers are kept per slice size, so after the first epoch no batch allocates.
final class DataParallelGradients<Backend: LinearAlgebra>: ParallelWork, @unchecked Sendable {  // Used by one trainer at a time.
    /// One worker's buffers for one slice size.
    final class Buffers {
        let workspace: Workspace<Backend.Scalar>
        var gradients: ParameterArrays<Backend.Scalar>
        var inputs: Matrix<Backend.Scalar>, targets: Matrix<Backend.Scalar>
        /// The rows of the data set this worker takes in the current batch (empty between batches,
        /// so the trainer's shuffled order is not shared and can be reshuffled in place).
        var rows: ArraySlice<Int> = []
        var loss = 0.0
        /// This slice's dropout masks (its place in the batch).
        var masks = DropoutMasks(seed: 0)

        init(batch: Int, layers: [Layer<Backend.Scalar>]) {
            workspace = Workspace(batch: batch, layers: layers)
            gradients = ParameterArrays(zerosLike: layers)
            inputs = Matrix(rows: batch, columns: layers[0].inputCount)
            targets = Matrix(rows: batch, columns: layers[layers.count - 1].outputCount)
        }
    }

    let workers: Int
    /// Slices smaller than this are not worth a thread.
    let minimumSlice = 16
    private var cache: [[Int: Buffers]]
    /// The current batch's workers, kept between batches so that filling it allocates nothing.
    private var active: [Buffers] = []
    /// The threads the slices run on (the caller's and `workers − 1` helpers).
    let threads: WorkerThreads
    /// The same threads for the element-wise tail of a step: the combine here and the optimiser's update.
    let split: ParallelElementwise<Backend.Scalar>
    /// The current batch's arguments, for ``runPart(_:)`` on the worker threads; nil between batches.
    private var batch: (network: Network<Backend>, data: Dataset, scaler: FeatureScaler, dropout: DropoutRates)?

    init(workers: Int) {
        precondition(workers >= 1, "DataParallelGradients: \(workers) workers")
        self.workers = workers
        cache = Array(repeating: [:], count: workers)
        active.reserveCapacity(workers)
        threads = WorkerThreads(count: workers)
        split = ParallelElementwise(threads: threads)
    }

    private func buffers(worker: Int, batch: Int, layers: [Layer<Backend.Scalar>]) -> Buffers {
        if let b = cache[worker][batch] { return b }
        let b = Buffers(batch: batch, layers: layers)
        cache[worker][batch] = b
        return b
    }

    /// Writes ∂L/∂W and ∂L/∂b of the mean loss over `rows` of `data` into `gradients` and returns
    /// that loss. `masks` places `rows` in their batch: each sample's dropout masks depend on its
    /// position there, not on the worker that computes it, so the result does not depend on the
    /// number of workers beyond the order of the final sum. `afterLayer` (one worker only: the slice
    /// gradients are combined after all workers end) is called on this thread as each layer's
    /// gradients are final (see ``Network/gradients(inputs:targets:workspace:into:dropout:masks:afterLayer:)``).
    func compute(_ network: Network<Backend>, data: Dataset, rows: ArraySlice<Int>, scaler: FeatureScaler,
                 dropout: DropoutRates, masks: DropoutMasks, into gradients: inout ParameterArrays<Backend.Scalar>,
                 afterLayer: ((Int, ParameterArrays<Backend.Scalar>) -> Void)? = nil) -> Double {
        precondition(afterLayer == nil || workers == 1, "DataParallelGradients: afterLayer with \(workers) workers")
        let n = rows.count
        let used = max(1, min(workers, n / minimumSlice))
        active.removeAll(keepingCapacity: true)
        var start = rows.startIndex
        for w in 0..<used {
            let size = n / used + (w < n % used ? 1 : 0)
            let b = buffers(worker: w, batch: size, layers: network.layers)
            b.rows = rows[start..<(start + size)]
            b.masks = masks.advanced(by: start - rows.startIndex)
            active.append(b)
            start += size
        }
        if used == 1 {
            Self.run(active[0], network, data, scaler, dropout, afterLayer)
            // The worker's gradients are the batch's: hand over its arrays instead of copying them.
            swap(&gradients, &active[0].gradients)
            active[0].rows = []
            return active[0].loss
        }
        batch = (network, data, scaler, dropout)
        threads.run(used, self)
        batch = nil
        // Combine in worker order, so the sum is the same every run.
        var loss = 0.0
        for b in active {
            loss += Double(b.workspace.batch) / Double(n) * b.loss
            b.rows = []
        }
        for l in gradients.weights.indices {
            gradients.weights[l].elements.withUnsafeMutableBufferPointer { y in
                combine(into: y) { $0.weights[l].elements }
            }
            if gradients.biases[l] != nil {
                gradients.biases[l]!.withUnsafeMutableBufferPointer { y in
                    combine(into: y) { $0.biases[l]! }
                }
            }
        }
        return loss
    }

    /// Worker `part`'s slice of the current batch (called on the worker threads).
    @_specialize(where Backend == BLAS<Double>)
    @_specialize(where Backend == BLAS<Float>)
    @_specialize(where Backend == Reference<Double>)
    @_specialize(where Backend == Reference<Float>)
    func runPart(_ part: Int) {
        let (network, data, scaler, dropout) = batch!
        Self.run(active[part], network, data, scaler, dropout)
    }

    /// One worker: its rows to the network's precision through the scaler, one-hot targets, forward and backward.
    private static func run(_ b: Buffers, _ network: Network<Backend>, _ data: Dataset, _ scaler: FeatureScaler,
                            _ dropout: DropoutRates, _ afterLayer: ((Int, ParameterArrays<Backend.Scalar>) -> Void)? = nil) {
        b.inputs.elements.withUnsafeMutableBufferPointer { data.copyFeatures(rows: b.rows, scaler: scaler, into: $0) }
        b.targets.setOneHot(data, rows: b.rows)
        b.loss = network.gradients(inputs: b.inputs, targets: b.targets, workspace: b.workspace,
                                   into: &b.gradients, dropout: dropout, masks: b.masks, afterLayer: afterLayer)
    }

    /// y ← Σ_w (slice_w / n)·x_w over the active workers' arrays `x_w = array(gradients_w)`: the first
    /// two in one pass (the usual case is exactly two), any others added one pass each; each pass
    /// split across the threads.
    private func combine(into y: UnsafeMutableBufferPointer<Backend.Scalar>,
                         _ array: (ParameterArrays<Backend.Scalar>) -> [Backend.Scalar]) {
        guard let yp = y.baseAddress else { return }
        var total = 0
        for b in active { total += b.workspace.batch }
        func weight(_ w: Int) -> Backend.Scalar { Backend.Scalar(Double(active[w].workspace.batch) / Double(total)) }
        array(active[0].gradients).withUnsafeBufferPointer { x0 in
            array(active[1].gradients).withUnsafeBufferPointer { x1 in
                split.run(.combine(y: yp, x0: x0.baseAddress!, w0: weight(0), x1: x1.baseAddress!, w1: weight(1)), count: y.count)
            }
        }
        for w in active.indices.dropFirst(2) {
            array(active[w].gradients).withUnsafeBufferPointer { x in
                split.run(.addScaled(y: yp, x: x.baseAddress!, w: weight(w)), count: y.count)
            }
        }
    }
}
