// ThreadChoice.swift: the thread arrangement of a run chosen by timing the network's own gradients in each.
import Datasets
import Foundation
import Linalg

/// How a training step uses the cores: `workers` threads, each computing the gradients of a slice
/// of every batch (``TrainingConfiguration/threads``), each with its backend's calls on `blasThreads` threads.
public struct ThreadArrangement: Sendable, Equatable, CustomStringConvertible {
    public var workers: Int
    public var blasThreads: Int

    public init(workers: Int, blasThreads: Int) {
        self.workers = workers
        self.blasThreads = blasThreads
    }

    /// "2 workers × 1 OpenBLAS thread", "1 worker × 2 OpenBLAS threads".
    public var description: String {
        "\(workers) worker\(workers == 1 ? "" : "s") × \(blasThreads) OpenBLAS thread\(blasThreads == 1 ? "" : "s")"
    }
}

/// The arrangement a run takes, the arrangements timed, and each one's median time of one batch's gradients.
public struct ThreadChoice: Sendable {
    public var chosen: ThreadArrangement
    public var timings: [(arrangement: ThreadArrangement, seconds: Double)]

    /// One line for the start of a run: the choice, then every arrangement's time.
    public var summary: String {
        let times = timings.map { "\($0.arrangement): \(String(format: "%.2f", $0.seconds * 1e3)) ms" }.joined(separator: ", ")
        return timings.count < 2 ? "threads: \(chosen) (one core: nothing to choose)"
            : "threads: auto chose \(chosen) (a batch's gradients took \(times))"
    }
}

extension Trainer {
    /// Times the gradients of one batch of `batchSize` rows of `training` (the first rows, through
    /// `scaler`, with `dropout`) on `network` in each arrangement of `cores` cores — `cores` workers
    /// of one-thread calls (the trainer's data parallelism), and one worker whose backend calls use
    /// all `cores` threads (OpenBLAS splits each product) — alternately, for a few milliseconds each
    /// (at least three batches each after a warm-up), and returns the faster by median time. On one
    /// core there is nothing to choose. Leaves the backend's calls set to the chosen arrangement's
    /// `blasThreads`; give the ``Trainer`` `threads = chosen.workers`.
    ///
    /// The arrangements sum a batch's gradients in different orders (the workers' slices are
    /// combined after their own sums), so they train to weights that differ in the last bits: a run
    /// with an automatic choice is repeated exactly by giving the chosen worker count.
    public static func chooseThreads(network: Network<Backend>, training: Dataset, scaler: FeatureScaler, batchSize: Int,
                                     dropout: DropoutRates, cores: Int = ProcessInfo.processInfo.activeProcessorCount,
                                     budget: Double = 0.05) -> ThreadChoice {
        let rows = 0..<min(batchSize, training.count)
        guard cores > 1, !rows.isEmpty else {
            Backend.setThreadsPerCall(1)
            let one = ThreadArrangement(workers: 1, blasThreads: 1)
            return ThreadChoice(chosen: one, timings: [(one, 0)])
        }
        let arrangements = [ThreadArrangement(workers: cores, blasThreads: 1), ThreadArrangement(workers: 1, blasThreads: cores)]
        let runners = arrangements.map { DataParallelGradients<Backend>(workers: $0.workers) }
        var gradients = ParameterArrays<Backend.Scalar>(zerosLike: network.layers)
        let order = Array(rows)
        func once(_ a: Int) -> Double {
            Backend.setThreadsPerCall(arrangements[a].blasThreads)
            let start = MonotonicClock.seconds()
            _ = runners[a].compute(network, data: training, rows: order[...], scaler: scaler, dropout: dropout,
                                   masks: DropoutMasks(seed: 1), into: &gradients)
            return MonotonicClock.seconds() - start
        }
        var times = arrangements.map { _ in [Double]() }
        for a in arrangements.indices { _ = once(a); _ = once(a) }  // Warm-up: buffers, OpenBLAS's threads.
        let deadline = MonotonicClock.seconds() + budget * Double(arrangements.count)
        while times[0].count < 3 || (times[0].count < 15 && MonotonicClock.seconds() < deadline) {
            for a in arrangements.indices { times[a].append(once(a)) }
        }
        let medians = times.map { t in t.sorted()[t.count / 2] }
        let best = medians.indices.min { medians[$0] < medians[$1] }!
        Backend.setThreadsPerCall(arrangements[best].blasThreads)
        return ThreadChoice(chosen: arrangements[best], timings: Array(zip(arrangements, medians)).map { ($0.0, $0.1) })
    }
}
