// SeededGenerator.swift: a small, fast, seedable random number generator (xoshiro256**, seeded through SplitMix64).
import Foundation

/// A small, fast, seedable random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random choice in the package (initial weights, shuffles, dropout masks, test data)
/// draws from one of these, so a run is reproducible from its seed. The state is four words,
/// so a generator can be saved in a checkpoint and restored exactly.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
    // Four words in stored properties, not an array, so a generator never allocates.
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The four state words; restoring them resumes the exact sequence.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// The same four words without an array (for kernels that run the generator themselves:
    /// xoshiro256** over s0…s3 in this order).
    public var stateWords: (UInt64, UInt64, UInt64, UInt64) { (s0, s1, s2, s3) }

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        (s0, s1, s2, s3) = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator resumed from saved `state` (four words, not all zero).
    public init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 },
                     "SeededGenerator: state must be four words, not all zero")
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw (Box–Muller; one of the pair is used, so the sequence stays simple).
    public mutating func nextNormal() -> Double {
        var u1 = nextUniform()
        while u1 == 0 { u1 = nextUniform() }
        let u2 = nextUniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

extension Matrix {
    /// A `rows × columns` matrix of independent draws from N(0, scale²), each drawn in `Double` and
    /// rounded to `Scalar` (so a `Float` matrix is the rounded `Double` one of the same generator).
    public static func randomNormal(rows: Int, columns: Int, scale: Double = 1,
                                    using generator: inout SeededGenerator) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for i in m.elements.indices { m.elements[i] = Scalar(scale * generator.nextNormal()) }
        return m
    }

    /// A `rows × columns` matrix of independent draws from U[low, high), drawn in `Double` and rounded to `Scalar`.
    public static func randomUniform(rows: Int, columns: Int, in range: Range<Double> = -1..<1,
                                     using generator: inout SeededGenerator) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        let width = range.upperBound - range.lowerBound
        for i in m.elements.indices { m.elements[i] = Scalar(range.lowerBound + width * generator.nextUniform()) }
        return m
    }
}
