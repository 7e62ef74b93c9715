// SampleOrder.swift: the order samples are visited in: the validation split and the per-epoch shuffles, from seeds.
import Datasets
import Linalg

extension Trainer {
    /// Splits `data` into a training part and a held-out validation part of `fraction` of the
    /// samples, chosen by a generator seeded with `seed` (independent of the training shuffles).
    public static func split(_ data: Dataset, validationFraction fraction: Double, seed: UInt64) -> (training: Dataset, validation: Dataset?) {
        let held = Int((Double(data.count) * fraction).rounded())
        guard held > 0 && held < data.count else { return (data, nil) }
        var rng = SeededGenerator(seed: seed ^ 0x5EED_5EED_5EED_5EED)
        var order = Array(0..<data.count)
        order.seededShuffle(using: &rng)
        return (data.subset(Array(order[held...]).sorted()), data.subset(Array(order[..<held]).sorted()))
    }
}

extension Array where Element == Int {
    /// Fisher–Yates with `rng`, written out so the order depends only on the generator, not on the
    /// standard library's shuffle algorithm.
    mutating func seededShuffle(using rng: inout SeededGenerator) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))  // Modulo bias < 2^-40 for data-set sizes: negligible.
            swapAt(i, j)
        }
    }
}
