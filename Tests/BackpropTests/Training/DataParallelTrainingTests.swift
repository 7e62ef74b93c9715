// DataParallelTrainingTests.swift: the trainer's data parallelism on threads, without MPI, against one thread.
import Backprop
import Datasets
import Foundation
import Testing
import TestSupport

/// The trainer's data parallelism without MPI: worker threads, and several "processes" that are
/// threads of this one exchanging buffers through ``ThreadGroup`` (what `mpirun` provides otherwise).
@Suite(.serialized) struct DataParallelTrainingTests {
    /// Spirals, 2-16-16-2 ReLU with dropout and Adam, batches of 37 (uneven shards), 4 epochs.
    static func trainer(threads: Int = 1) throws -> (Trainer<BLAS<Double>>, Dataset, FeatureScaler) {
        let data = try SyntheticData.spirals(perClass: 100, seed: 5)
        var rng = SeededGenerator(seed: 9)
        let network = try Network<BLAS<Double>>.make(sizes: [2, 16, 16, 2], hidden: .relu, output: .softmax, loss: .crossEntropy, using: &rng)
        var config = TrainingConfiguration()
        config.epochs = 4
        config.batchSize = 37
        config.dropout = 0.3
        config.seed = 9
        config.threads = threads
        config.validationFraction = 0
        config.patience = nil
        return (try Trainer(network: network, configuration: config), data, .fit(.standardize, on: data))
    }

    static func parameters(_ layers: [Layer<Double>]) -> [Double] {
        layers.flatMap { $0.weights.elements + ($0.bias ?? []) }
    }

    static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) }.max()! / a.map(abs).max()!
    }

    /// Trains `size` copies on `size` threads, each one process of a group (validating on `validation`);
    /// returns each one's layers, and each one's epochs in `histories`.
    static func trainGroup(size: Int, tamper: Bool = false, overlaps: Bool = false, validation: Dataset? = nil,
                           histories: Histories? = nil, parts: Parts? = nil) throws -> [[Layer<Double>]] {
        let group = ThreadGroup(size: size, tamper: tamper, overlaps: overlaps)
        let results = Results(size)
        let threads = (0..<size).map { rank in
            Thread {
                do {
                    let (trainer, data, scaler) = try trainer()
                    let member = group.member(rank)
                    let history = try trainer.train(training: data, validation: validation, scaler: scaler, reduction: member)
                    histories?.set(rank, history)
                    parts?.set(rank, member.started)
                    results.set(rank, .success(trainer.network.layers))
                } catch {
                    results.set(rank, .failure(error))
                }
            }
        }
        threads.forEach { $0.start() }
        while !results.complete { usleep(1_000) }
        return try results.values.map { try $0!.get() }
    }

    @Test func dropoutMasksDoNotDependOnTheThreadCount() throws {
        func run(_ threads: Int) throws -> [Double] {
            let (trainer, data, scaler) = try Self.trainer(threads: threads)
            try trainer.train(training: data, validation: nil, scaler: scaler)
            return Self.parameters(trainer.network.layers)
        }
        let one = try run(1)
        for threads in [2, 3] {
            let difference = Self.relativeDifference(one, try run(threads))
            #expect(difference <= 1e-12, "\(threads) threads: \(difference)")
        }
    }

    /// A network whose 256×128 layer (32,768 weights) is long enough for the combine and the
    /// optimiser update to be split across the threads: 2 and 3 threads agree with 1 up to the
    /// order of the combine's sum, and a split run repeats bit for bit.
    @Test(arguments: ["adam", "momentum", "sgd"])
    func splitCombineAndUpdateMatchOneThread(optimizer: String) throws {
        let data = try SyntheticData.spirals(perClass: 100, seed: 5)
        func run(_ threads: Int) throws -> [Double] {
            var rng = SeededGenerator(seed: 9)
            let network = try Network<BLAS<Double>>.make(sizes: [2, 256, 128, 2], hidden: .relu, output: .softmax, loss: .crossEntropy, using: &rng)
            var config = TrainingConfiguration()
            config.epochs = 2
            config.batchSize = 64
            config.dropout = 0.3
            config.threads = threads
            config.validationFraction = 0
            config.patience = nil
            let trainer = try Trainer(network: network, optimizer: Optimizer(name: optimizer)!, configuration: config)
            try trainer.train(training: data, validation: nil, scaler: .fit(.standardize, on: data))
            return Self.parameters(trainer.network.layers)
        }
        let one = try run(1), two = try run(2)
        #expect(two == (try run(2)), "a 2-thread run repeats bit for bit")
        for (threads, result) in [(2, two), (3, try run(3))] {
            let difference = Self.relativeDifference(one, result)
            #expect(difference <= 1e-12, "\(optimizer), \(threads) threads: \(difference)")
        }
    }

    @Test func processesOfAGroupMatchOneProcessAndStayIdentical() throws {
        let (single, data, scaler) = try Self.trainer()
        let initial = Self.parameters(single.network.layers)
        try single.train(training: data, validation: nil, scaler: scaler)
        let one = Self.parameters(single.network.layers)
        #expect(Self.relativeDifference(initial, one) > 1e-2, "training moved the weights")
        for size in [2, 3, 5] {
            let ranks = try Self.trainGroup(size: size)
            let bits = ranks.map { Self.parameters($0).map(\.bitPattern) }
            #expect(bits.allSatisfy { $0 == bits[0] }, "\(size) processes end with bit-identical weights")
            let difference = Self.relativeDifference(one, Self.parameters(ranks[0]))
            #expect(difference <= 1e-12, "\(size) processes against one: \(difference)")
        }
    }

    /// Each process validates its shard of the split; the reduced figures are the whole split's, on
    /// every process, as one process computes them.
    @Test func theValidationSplitIsEvaluatedInShardsAndReduced() throws {
        let validation = try SyntheticData.spirals(perClass: 37, seed: 11)
        let (single, data, scaler) = try Self.trainer()
        let one = try single.train(training: data, validation: validation, scaler: scaler)
        #expect(one.allSatisfy { $0.validationLoss != nil && $0.validationAccuracy != nil })
        for size in [2, 3] {
            let histories = Histories()
            _ = try Self.trainGroup(size: size, validation: validation, histories: histories)
            for rank in 0..<size {
                let mine = histories.get(rank)
                #expect(mine.count == one.count)
                for (a, b) in zip(one, mine) {
                    #expect(abs(a.validationLoss! - b.validationLoss!) <= 1e-12 * a.validationLoss!, "\(size) processes, rank \(rank): \(a.validationLoss!) against \(b.validationLoss!)")
                    #expect(a.validationAccuracy == b.validationAccuracy, "\(size) processes, rank \(rank), epoch \(a.epoch)")
                }
            }
        }
    }

    /// The overlapped exchange (a part per layer, started during the backward pass) sums every value as
    /// the one sum after it does: bit-identical weights, with the parts the layers' sizes, output layer first.
    @Test func theOverlappedExchangeGivesTheBlockingWeightsBitForBit() throws {
        for size in [2, 3, 5] {
            let parts = Parts()
            let overlapped = try Self.trainGroup(size: size, overlaps: true, parts: parts)
            let blocking = try Self.trainGroup(size: size)
            #expect(Self.parameters(overlapped[0]).map(\.bitPattern) == Self.parameters(blocking[0]).map(\.bitPattern),
                    "\(size) processes")
            // 2-16-16-2: layer 2 (16·2 + 2), layer 1 (16·16 + 16), then layer 0 (2·16 + 16) with the loss;
            // 4 epochs of ⌈200 / 37⌉ = 6 steps.
            let step = [34, 272, 49]
            for rank in 0..<size {
                #expect(parts.get(rank) == Array([[Int]](repeating: step, count: 4 * 6).joined()), "\(size) processes, rank \(rank)")
            }
        }
    }

    @Test func processesWhoseSumsDifferAreCaught() throws {
        #expect(throws: TrainingError.processesDiverged(epoch: 1)) { try Self.trainGroup(size: 2, tamper: true) }
    }

    @Test func shardsCoverTheBatchInOrder() {
        for count in [0, 1, 7, 37, 128] {
            for size in 1...5 {
                let shards = (0..<size).map { ThreadGroup.Member.shard(of: count, rank: $0, size: size) }
                #expect(shards.first!.lowerBound == 0 && shards.last!.upperBound == count)
                #expect(zip(shards, shards.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(shards.map(\.count).max()! - shards.map(\.count).min()! <= 1)
            }
        }
    }
}

/// Processes that are threads: each member's ``GradientReduction/sum(_:)`` waits for all, then every
/// member gets the sum in rank order. With `tamper`, member 1 gets every sum with its first value nudged by 1e-6.
/// With `overlaps`, the members ask the trainer for the overlapped exchange (``GradientReduction/overlapsSums``):
/// each ``GradientReduction/startSum(_:)`` is a whole sum at once, counted in ``Member/started``.
final class ThreadGroup: @unchecked Sendable {  // Guarded by the condition's lock.
    let size: Int
    let tamper: Bool
    let overlaps: Bool
    private let condition = NSCondition()
    private var contributions: [[Double]]
    /// The last complete exchange: a member may give its next values before a slower one has read these.
    private var published: [[Double]] = []
    private var arrived = 0, generation = 0

    init(size: Int, tamper: Bool, overlaps: Bool = false) {
        self.size = size
        self.tamper = tamper
        self.overlaps = overlaps
        contributions = Array(repeating: [], count: size)
    }

    func member(_ rank: Int) -> Member { Member(group: self, rank: rank) }

    /// Every member's `values`, once all have given theirs.
    func exchange(_ rank: Int, _ values: [Double]) -> [[Double]] {
        condition.lock()
        defer { condition.unlock() }
        contributions[rank] = values
        arrived += 1
        let current = generation
        if arrived == size {
            published = contributions
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == current { condition.wait() }
        }
        return published
    }

    final class Member: GradientReduction {
        let group: ThreadGroup
        let rank: Int
        var size: Int { group.size }
        /// The lengths of the parts given to ``startSum(_:)`` so far, in order.
        private(set) var started: [Int] = []
        init(group: ThreadGroup, rank: Int) { self.group = group; self.rank = rank }

        var overlapsSums: Bool { group.overlaps }

        func startSum(_ part: UnsafeMutableBufferPointer<Double>) throws {
            started.append(part.count)
            try sum(part)
        }

        func sum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
            let all = group.exchange(rank, Array(buffer))
            for i in buffer.indices {
                buffer[i] = all[0][i]
                for r in 1..<all.count { buffer[i] += all[r][i] }
            }
            if group.tamper && rank == 1 { buffer[0] += 1e-6 }
        }

        func allEqual(_ value: UInt64) throws -> Bool {
            let all = group.exchange(rank, [Double(bitPattern: value)])
            return all.allSatisfy { $0[0].bitPattern == value }
        }
    }
}

/// Each member thread's parts started (``ThreadGroup/Member/started``).
final class Parts: @unchecked Sendable {  // Guarded by the lock.
    private let lock = NSLock()
    private var slots: [Int: [Int]] = [:]
    func set(_ rank: Int, _ parts: [Int]) { lock.withLock { slots[rank] = parts } }
    func get(_ rank: Int) -> [Int] { lock.withLock { slots[rank] ?? [] } }
}

/// Each member thread's epochs.
final class Histories: @unchecked Sendable {  // Guarded by the lock.
    private let lock = NSLock()
    private var slots: [Int: [EpochMetrics]] = [:]
    func set(_ rank: Int, _ history: [EpochMetrics]) { lock.withLock { slots[rank] = history } }
    func get(_ rank: Int) -> [EpochMetrics] { lock.withLock { slots[rank] ?? [] } }
}

/// One result per member thread.
private final class Results: @unchecked Sendable {  // Guarded by the lock.
    private let lock = NSLock()
    private var slots: [Result<[Layer<Double>], any Error>?]
    init(_ size: Int) { slots = Array(repeating: nil, count: size) }
    func set(_ rank: Int, _ result: Result<[Layer<Double>], any Error>) { lock.withLock { slots[rank] = result } }
    var complete: Bool { lock.withLock { slots.allSatisfy { $0 != nil } } }
    var values: [Result<[Layer<Double>], any Error>?] { lock.withLock { slots } }
}

extension DataParallelTrainingTests {
    /// The trainer's evaluation splits the rows over its threads (parts of at least 1,000): the
    /// confusion counts, and so the accuracy, must be exactly the one-thread evaluation's; the mean
    /// loss may differ only by the rounding of adding 2 or 3 partial sums instead of one running sum
    /// (each term is below 20 in size here, so a few ulps of the total: 1e-12 relative is generous).
    @Test(arguments: [(2, 2600), (3, 2600), (3, 3001), (2, 999)])
    func evaluationOnSeveralThreadsCountsWhatOneThreadCounts(threads: Int, samples: Int) throws {
        let data = try SyntheticData.spirals(perClass: samples / 2, seed: 11)
        var rng = SeededGenerator(seed: 12)
        let network = try Network<BLAS<Double>>.make(sizes: [2, 16, 3], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
        var config = TrainingConfiguration()
        config.threads = threads
        let scaler = FeatureScaler.fit(.standardize, on: data)
        let trainer = try Trainer(network: network, configuration: config)
        let split = trainer.evaluate(data, scaler: scaler), whole = network.evaluate(data, scaler: scaler)
        #expect(split.confusion == whole.confusion)
        #expect(split.confusion.joined().reduce(0, +) == data.count)
        #expect(split.accuracy == whole.accuracy)
        #expect(abs(split.loss - whole.loss) <= 1e-12 * whole.loss, "\(split.loss) against \(whole.loss)")
        if data.count < 2000 { #expect(split.loss.bitPattern == whole.loss.bitPattern) }  // One part: the same sum.
    }
}
