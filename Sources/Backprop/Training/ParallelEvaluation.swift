// ParallelEvaluation.swift: a data set's loss and accuracy with its rows split over the trainer's threads.
import Datasets
import Linalg

/// A network's evaluation sums over a range of rows, the range cut into contiguous parts evaluated
/// concurrently on ``WorkerThreads`` (each part through its own forward workspace, BLAS at the
/// calling trainer's thread setting). The parts' summed losses are added in part order and their
/// confusion counts added, so a result depends on the number of parts only through the rounding
/// of the loss sum; the counts, and so the accuracy, are exact whatever the split.
final class ParallelEvaluation<Backend: LinearAlgebra>: ParallelWork, @unchecked Sendable {  // Each part writes its own slot.
    /// One part's result, written by the thread that runs the part.
    private final class Slot { var sums: (loss: Double, confusion: [[Int]]) = (0, []) }

    private let network: Network<Backend>
    private let data: Dataset
    private let scaler: FeatureScaler
    private let parts: [Range<Int>]
    private let slots: [Slot]

    /// Rows of a part: fewer are not worth a thread (one forward batch of ``Network/evaluate(_:scaler:batchSize:)``).
    static var minimumPart: Int { 1000 }

    private init(network: Network<Backend>, data: Dataset, scaler: FeatureScaler, parts: [Range<Int>]) {
        (self.network, self.data, self.scaler, self.parts) = (network, data, scaler, parts)
        slots = parts.map { _ in Slot() }
    }

    func runPart(_ part: Int) {
        slots[part].sums = network.evaluationSums(data, rows: parts[part], scaler: scaler)
    }

    /// The summed loss and the confusion counts of `network` on the samples at `rows` of `data`, over
    /// up to `threads.count` parts of at least ``minimumPart`` rows.
    static func sums(_ network: Network<Backend>, _ data: Dataset, rows: Range<Int>, scaler: FeatureScaler,
                     on threads: WorkerThreads) -> (loss: Double, confusion: [[Int]]) {
        let count = max(1, min(threads.count, rows.count / minimumPart))
        if count == 1 { return network.evaluationSums(data, rows: rows, scaler: scaler) }
        let size = (rows.count + count - 1) / count
        let parts = (0..<count).map { p in
            (rows.lowerBound + p * size)..<min(rows.upperBound, rows.lowerBound + (p + 1) * size)
        }
        let work = ParallelEvaluation(network: network, data: data, scaler: scaler, parts: parts)
        threads.run(count, work)
        var (loss, confusion) = work.slots[0].sums
        for slot in work.slots.dropFirst() {
            loss += slot.sums.loss
            for i in confusion.indices {
                for j in confusion[i].indices { confusion[i][j] += slot.sums.confusion[i][j] }
            }
        }
        return (loss, confusion)
    }
}
