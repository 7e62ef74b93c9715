// FashionMNISTTests.swift: loads the installed data set, or records a failure that says how to install it.
import Foundation
import Testing

import Datasets

@Suite("Fashion-MNIST")
struct FashionMNISTTests {
    /// Loads the installed data set, or records a failure that says how to install it: a missing
    /// data set must not look like a passing test.
    static func installed() -> (train: Dataset, test: Dataset)? {
        do {
            let clock = ContinuousClock()
            var result: (train: Dataset, test: Dataset)?
            let elapsed = try clock.measure { result = try FashionMNIST.load() }
            print("Fashion-MNIST loaded from \(FashionMNIST.defaultDirectory) in \(elapsed)")
            return result
        } catch let error as DatasetError where error.kind == .datasetNotFound {
            Issue.record("Fashion-MNIST is not installed (\(error)). Install it with: apt-get install dataset-fashion-mnist")
        } catch {
            Issue.record("Fashion-MNIST failed to load: \(error)")
        }
        return nil
    }

    @Test func loadsTheOfficialSplits() throws {
        guard let (train, test) = Self.installed() else { return }
        #expect(train.count == 60_000)
        #expect(test.count == 10_000)
        #expect(train.featureCount == 784 && test.featureCount == 784)
        #expect(train.classCount == 10 && test.classCount == 10)
        // The data set is balanced by construction: 6,000 training and 1,000 test images per class.
        #expect(train.labelCounts == [Int](repeating: 6_000, count: 10))
        #expect(test.labelCounts == [Int](repeating: 1_000, count: 10))
        // The first image of each split is an ankle boot (class 9), as every tutorial shows.
        #expect(train.labels.first == 9 && test.labels.first == 9)
        #expect(FashionMNIST.classNames[9] == "Ankle boot")
        guard case .bytes(let pixels) = train.features else {
            Issue.record("images should stay bytes")
            return
        }
        #expect(pixels.count == 60_000 * 784)

        // The published normalisation constants of the training images, over all pixels scaled
        // to [0, 1]: mean 0.2860, standard deviation 0.3530. Computed here batch by batch through
        // one reused buffer, the way a training loop consumes the data.
        let scaler = FeatureScaler.fit(.unitRange, on: train)
        let batch = 1_000
        var buffer = [Double](repeating: 0, count: batch * 784)
        var sum = 0.0, squares = 0.0
        for start in stride(from: 0, to: train.count, by: batch) {
            buffer.withUnsafeMutableBufferPointer { train.copyFeatures(rows: start..<start + batch, scaler: scaler, into: $0) }
            for x in buffer {
                sum += x
                squares += x * x
            }
        }
        let n = Double(train.count * 784)
        let mean = sum / n
        let deviation = (squares / n - mean * mean).squareRoot()
        #expect(abs(mean - 0.2860) < 1e-4)
        #expect(abs(deviation - 0.3530) < 1e-4)
    }

    @Test func missingDirectorySaysWhereAndHowToInstall() throws {
        let dir = try TemporaryDirectory()
        let error = try datasetError { try FashionMNIST.load(directory: dir.path) }
        #expect(error.kind == .datasetNotFound)
        #expect(error.message.contains(dir.path + "/train-images-idx3-ubyte.gz"))
        #expect(error.message.contains("apt-get install dataset-fashion-mnist"))
    }

    @Test func readsUncompressedFilesAndChecksTheImageSize() throws {
        let dir = try TemporaryDirectory()
        let image = [UInt8](repeating: 7, count: 784)
        for split in ["train", "t10k"] {
            try dir.write("\(split)-images-idx3-ubyte", idx(dimensions: [2, 28, 28], data: image + image))
            try dir.write("\(split)-labels-idx1-ubyte", idx(dimensions: [2], data: [3, 9]))
        }
        let (train, test) = try FashionMNIST.load(directory: dir.path)
        #expect(train.count == 2 && test.count == 2)
        #expect(train.classCount == 10)  // fixed by the data set, not by the largest label seen
        #expect(train.labels == [3, 9])

        try dir.write("train-images-idx3-ubyte", idx(dimensions: [2, 2, 2], data: Array(repeating: 0, count: 8)))
        let error = try datasetError { try FashionMNIST.load(directory: dir.path) }
        #expect(error.kind == .badHeader)
        #expect(error.message.contains("2×2×2"))
    }
}
