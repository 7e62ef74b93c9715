// ThreadChoiceTests.swift: Trainer.chooseThreads: what it times and returns (never how fast), and that the chosen count trains as given.
import Backprop
import Datasets
import Foundation
import Testing
import TestSupport

/// ``Trainer/chooseThreads(network:training:scaler:batchSize:dropout:cores:budget:)``: the
/// arrangements it times, its one-line report, and that a trainer given the chosen worker count
/// trains to the same weights as one given that count by hand (the choice is all it changes).
@Suite(.serialized) struct ThreadChoiceTests {
    static func setting() throws -> (Network<BLAS<Double>>, Dataset, FeatureScaler) {
        let data = try SyntheticData.spirals(perClass: 100, seed: 5)
        var rng = SeededGenerator(seed: 9)
        let network = try Network<BLAS<Double>>.make(sizes: [2, 16, 16, 2], hidden: .relu, output: .softmax, loss: .crossEntropy, using: &rng)
        return (network, data, .fit(.standardize, on: data))
    }

    @Test func twoCoresTimeBothArrangementsAndChooseOneOfThem() throws {
        let (network, data, scaler) = try Self.setting()
        let choice = Trainer<BLAS<Double>>.chooseThreads(network: network, training: data, scaler: scaler, batchSize: 64,
                                                         dropout: 0.2, cores: 2, budget: 0.001)
        let arrangements = choice.timings.map(\.arrangement)
        #expect(arrangements == [ThreadArrangement(workers: 2, blasThreads: 1), ThreadArrangement(workers: 1, blasThreads: 2)])
        #expect(choice.timings.allSatisfy { $0.seconds > 0 && $0.seconds.isFinite })
        #expect(arrangements.contains(choice.chosen))
        // The faster by the medians it reports (which one that is, is the machine's business).
        #expect(choice.timings.first { $0.arrangement == choice.chosen }!.seconds == choice.timings.map(\.seconds).min())
        #expect(choice.summary.hasPrefix("threads: auto chose \(choice.chosen)"))
        #expect(choice.summary.contains("2 workers × 1 OpenBLAS thread: ") && choice.summary.contains("1 worker × 2 OpenBLAS threads: "))
        BLASThreads.set(1)
    }

    @Test func oneCoreHasNothingToChoose() throws {
        let (network, data, scaler) = try Self.setting()
        let choice = Trainer<BLAS<Double>>.chooseThreads(network: network, training: data, scaler: scaler, batchSize: 64,
                                                         dropout: 0, cores: 1)
        #expect(choice.chosen == ThreadArrangement(workers: 1, blasThreads: 1))
        #expect(choice.summary == "threads: 1 worker × 1 OpenBLAS thread (one core: nothing to choose)")
        #expect(BLASThreads.count == 1)
    }

    /// Timing the arrangements leaves the network as it was: a run after the choice is the run with
    /// the chosen count given by hand, bit for bit (DataParallelTrainingTests' spirals run).
    @Test func theChosenCountTrainsAsTheSameCountGivenByHand() throws {
        let (probe, data, scaler) = try DataParallelTrainingTests.trainer()
        let choice = Trainer<BLAS<Double>>.chooseThreads(network: probe.network, training: data, scaler: scaler, batchSize: 37,
                                                         dropout: 0.3, cores: 2, budget: 0.001)
        let chosen = try DataParallelTrainingTests.trainer(threads: choice.chosen.workers).0
        try chosen.train(training: data, validation: nil, scaler: scaler)
        BLASThreads.set(choice.chosen.blasThreads)
        let byHand = try DataParallelTrainingTests.trainer(threads: choice.chosen.workers).0
        try byHand.train(training: data, validation: nil, scaler: scaler)
        #expect(DataParallelTrainingTests.parameters(chosen.network.layers) == DataParallelTrainingTests.parameters(byHand.network.layers))
        BLASThreads.set(1)
    }
}
