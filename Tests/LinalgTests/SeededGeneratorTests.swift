// SeededGeneratorTests.swift: the seeded generator against xoshiro256**'s published outputs and its distributions.
import Linalg
import Testing

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameSequenceAndStateResumes() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        var resumed = SeededGenerator(state: a.state)
        #expect((0..<5).map { _ in a.next() } == (0..<5).map { _ in resumed.next() })
    }

    @Test func normalDrawsHaveUnitMomentsAndUniformStaysInRange() {
        var rng = SeededGenerator(seed: 1)
        let n = 200_000
        let draws = (0..<n).map { _ in rng.nextNormal() }
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        // Standard errors: 1/√n ≈ 0.0022 for the mean, √(2/n) ≈ 0.0032 for the variance; allow 5σ.
        #expect(abs(mean) < 0.011)
        #expect(abs(variance - 1) < 0.016)
        let uniform = (0..<1000).map { _ in rng.nextUniform() }
        #expect(uniform.allSatisfy { $0 >= 0 && $0 < 1 })
    }
}
