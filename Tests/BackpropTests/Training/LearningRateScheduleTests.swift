// LearningRateScheduleTests.swift: each schedule's rates against its formula, worked out by hand (cos(π/4) = √2/2).
import Backprop
import Testing

/// Each schedule's rates against its formula, worked out by hand (cos(π/4) = √2/2).
@Suite struct LearningRateScheduleTests {
    func rates(_ schedule: some LearningRateSchedule, epochs: Int, base: Double = 0.1) -> [Double] {
        (0..<epochs).map { schedule.learningRate(epoch: $0, base: base) }
    }

    @Test func cosineFallsAsHalfACosineToItsFloor() {
        let root2over2 = 0.7071067811865476
        let expected = [1, (1 + root2over2) / 2, 0.5, (1 - root2over2) / 2, 0, 0].map { 0.1 * $0 }
        let got = rates(CosineDecay(epochs: 4), epochs: 6)
        for (g, e) in zip(got, expected) { #expect(abs(g - e) <= 1e-16, "cosine rates \(got), expected \(expected)") }
        // With a floor of 0.1·η₀ the same shape is squeezed into [0.01, 0.1].
        let floored = rates(CosineDecay(epochs: 4, minimumScale: 0.1), epochs: 5)
        #expect(abs(floored[2] - 0.1 * (0.1 + 0.9 * 0.5)) <= 1e-16 && abs(floored[4] - 0.01) <= 1e-16, "\(floored)")
    }

    @Test func cosineKeepsItsPeriodThroughState() {
        var resumed = CosineDecay(epochs: 1)
        resumed.restore(CosineDecay(epochs: 24).state)
        #expect(resumed.epochs == 24)
        #expect(rates(resumed, epochs: 24) == rates(CosineDecay(epochs: 24), epochs: 24))
        // A period no run could have had (a damaged checkpoint) leaves the schedule as made.
        for bad in [[0.0], [-3], [2.5], [.nan], [1e300], [4, 4]] {
            var schedule = CosineDecay(epochs: 7)
            schedule.restore(bad)
            #expect(schedule.epochs == 7, "restore(\(bad))")
        }
    }

    @Test func theOtherSchedulesFollowTheirFormulas() {
        #expect(rates(ConstantRate(), epochs: 3) == [0.1, 0.1, 0.1])
        #expect(rates(StepDecay(every: 2, factor: 0.5), epochs: 5) == [0.1, 0.1, 0.05, 0.05, 0.025])
        let exponential = rates(ExponentialDecay(gamma: 0.5), epochs: 3)
        #expect(exponential == [0.1, 0.05, 0.025])
        var plateau = ReduceOnPlateau(factor: 0.5, patience: 1)
        var got: [Double] = []
        for loss in [1.0, 0.5, 0.5, 0.5, 0.4] {
            got.append(plateau.learningRate(epoch: got.count, base: 0.1))
            plateau.endEpoch(monitoredLoss: loss)
        }
        // Epochs 3 and 4 bring no improvement: after the second (patience 1 exceeded) the rate halves.
        #expect(got == [0.1, 0.1, 0.1, 0.1, 0.05])
    }

    @Test func everyNameMakesItsSchedule() {
        for name in LearningRateSchedules.names {
            #expect(LearningRateSchedules.make(name, epochs: 10)?.name == name)
        }
        #expect(LearningRateSchedules.make("linear", epochs: 10) == nil)
    }
}
