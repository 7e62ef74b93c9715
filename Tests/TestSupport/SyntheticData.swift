// SyntheticData.swift: small labelled problems made from a seed (spirals, XOR) for the tests that train.
import Datasets
import Foundation
import Linalg

/// Small two-class data sets, the same for the same seed, for the tests that train.
public enum SyntheticData {
    /// Two interleaved spirals, `perClass` points each, with labels 0 and 1 (a classic non-linear problem).
    public static func spirals(perClass: Int, seed: UInt64) throws -> Dataset {
        var rng = SeededGenerator(seed: seed)
        var features: [Double] = [], labels: [Int] = []
        for c in 0..<2 {
            for i in 0..<perClass {
                let r = Double(i) / Double(perClass) * 5 + 0.5
                let angle = 1.75 * r + Double(c) * Double.pi
                features += [r * cos(angle) + 0.1 * rng.nextNormal(), r * sin(angle) + 0.1 * rng.nextNormal()]
                labels.append(c)
            }
        }
        return try Dataset(features: .doubles(features), labels: labels, featureCount: 2, classCount: 2, source: "spirals")
    }

    /// XOR as two classes: four noisy clusters.
    public static func xor(samples: Int, seed: UInt64) throws -> Dataset {
        var rng = SeededGenerator(seed: seed)
        var features: [Double] = [], labels: [Int] = []
        for i in 0..<samples {
            let (a, b) = (i % 2, (i / 2) % 2)
            features += [Double(a) + 0.1 * rng.nextNormal(), Double(b) + 0.1 * rng.nextNormal()]
            labels.append(a ^ b)
        }
        return try Dataset(features: .doubles(features), labels: labels, featureCount: 2, classCount: 2, source: "xor")
    }
}
