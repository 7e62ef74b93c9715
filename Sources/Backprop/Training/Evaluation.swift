// Evaluation.swift: a classifier's results on a labelled data set.
import Datasets
import Linalg

/// A classifier's results on a labelled data set.
public struct Evaluation: Sendable, Equatable {
    /// Mean loss over the samples.
    public var loss: Double
    /// Fraction of samples whose largest output is at their label.
    public var accuracy: Double
    /// `confusion[true][predicted]` sample counts (`outputCount × outputCount`).
    public var confusion: [[Int]]

    /// Per class, the fraction of its samples predicted correctly (nil for a class with no samples).
    public var perClassAccuracy: [Double?] {
        confusion.enumerated().map { c, row in
            let total = row.reduce(0, +)
            return total == 0 ? nil : Double(row[c]) / Double(total)
        }
    }
}

extension Evaluation {
    // In an extension, so that the memberwise initialiser stays.
    /// The mean loss and the accuracy of `count` samples from their summed loss and confusion counts.
    init(summedLoss: Double, confusion: [[Int]], count: Int) {
        self.init(loss: count == 0 ? 0 : summedLoss / Double(count),
                  accuracy: count == 0 ? 0 : Double(Self.correctCount(confusion)) / Double(count), confusion: confusion)
    }

    /// The samples counted on the diagonal of `confusion[true][predicted]`: those predicted correctly.
    static func correctCount(_ confusion: [[Int]]) -> Int {
        confusion.indices.reduce(0) { $0 + confusion[$1][$1] }
    }
}

extension Network {
    /// Evaluates the network on `data` (inputs scaled by `scaler`, labels one-hot), in batches of
    /// `batchSize` through the forward pass. Outputs must have one unit per class.
    public func evaluate(_ data: Dataset, scaler: FeatureScaler, batchSize: Int = 1000) -> Evaluation {
        let (totalLoss, confusion) = evaluationSums(data, rows: 0..<data.count, scaler: scaler, batchSize: batchSize)
        return Evaluation(summedLoss: totalLoss, confusion: confusion, count: data.count)
    }

    /// The summed loss and the confusion counts of the samples at `rows` of `data` (what ``evaluate(_:scaler:batchSize:)``
    /// averages), so that parts of a data set evaluated apart add up to the whole. The rows go through
    /// the forward pass in blocks of `batchSize`, or fewer when a block's buffers would pass
    /// ``evaluationBlockValues`` (image layers: see ``evaluationBlock(batchSize:)``).
    func evaluationSums(_ data: Dataset, rows all: Range<Int>, scaler: FeatureScaler, batchSize: Int = 1000)
        -> (loss: Double, confusion: [[Int]]) {
        precondition(data.featureCount == inputCount && data.classCount <= outputCount,
                     "evaluate: data has \(data.featureCount) features and \(data.classCount) classes; the network takes \(inputCount) inputs and gives \(outputCount) outputs")
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: outputCount), count: outputCount)
        var totalLoss = 0.0
        var start = all.lowerBound
        var workspace: Workspace<Scalar>? = nil
        var outputs = [Scalar]()
        let block = evaluationBlock(batchSize: batchSize)
        while start < all.upperBound {
            let n = min(block, all.upperBound - start)
            if workspace?.batch != n {
                workspace = Workspace(batch: n, layers: layers)
                outputs = [Scalar](repeating: 0, count: n * outputCount)
            }
            let rows = start..<(start + n)
            var x = Matrix<Scalar>(rows: n, columns: inputCount), t = Matrix<Scalar>(rows: n, columns: outputCount)
            x.elements.withUnsafeMutableBufferPointer { data.copyFeatures(rows: rows, scaler: scaler, into: $0) }
            t.setOneHot(data, rows: rows)
            // predict, not forward: its specialisations are reached from this generic code.
            predict(x, workspace: workspace!, into: &outputs)
            let last = workspace!.layers[layers.count - 1]
            totalLoss += loss.value(outputs: last.activations, preActivations: last.preActivations, targets: t) * Double(n)
            for (i, row) in rows.enumerated() {
                confusion[data.labels[row]][last.activations.argmax(row: i)] += 1
            }
            start += n
        }
        return (totalLoss, confusion)
    }

    /// The values (any precision) one evaluation block's buffers may hold: 2²³, 32 MiB in float32.
    static var evaluationBlockValues: Int { 1 << 23 }

    /// Rows of one evaluation block: `batchSize`, or fewer so that the block's buffers — h, a and δ of
    /// every layer, and a convolution's im2col and channels-last matrices — hold at most
    /// ``evaluationBlockValues`` values (a dense network's 1,000 rows fit; a convolution's scratch
    /// grows with positions × patch per sample). At least 1.
    func evaluationBlock(batchSize: Int) -> Int {
        let perSample = layers.reduce(0) { sum, layer in
            var values = 3 * layer.outputCount
            if case .conv2d(let c) = layer { values += ConvolutionScratch<Scalar>.valuesPerSample(c.shape) }
            return sum + values
        }
        return max(1, min(batchSize, Self.evaluationBlockValues / max(1, perSample)))
    }
}

extension Matrix {
    /// Fills this `rows.count × classes` matrix with the one-hot rows of the labels at `rows` of `data`
    /// (which may have fewer classes than columns). Allocates nothing. Not nested in the generic
    /// `Network`, so that callers get it specialised for their index collection.
    mutating func setOneHot(_ data: Dataset, rows: some Collection<Int>) {
        if data.classCount == columns {
            elements.withUnsafeMutableBufferPointer { data.copyOneHotLabels(rows: rows, into: $0) }
        } else {
            for i in elements.indices { elements[i] = 0 }
            for (i, row) in rows.enumerated() { self[i, data.labels[row]] = 1 }
        }
    }
}

extension Matrix {
    /// The column of the largest entry in row `i` (the first on ties).
    public func argmax(row i: Int) -> Int {
        var best = 0
        for j in 1..<columns where self[i, j] > self[i, best] { best = j }
        return best
    }
}
