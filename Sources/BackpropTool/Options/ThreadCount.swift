// ThreadCount.swift: `train --threads`: a number of workers, or auto (chosen by timing at start-up).
import ArgumentParser

/// `train --threads N|auto`: N workers (each computing a slice of every batch, OpenBLAS at one
/// thread when N > 1), or `auto`: the faster arrangement of the cores, timed on the network's own
/// gradients at start-up (``/Backprop/Trainer/chooseThreads(network:training:scaler:batchSize:dropout:cores:budget:)``).
enum ThreadCount: Equatable, ExpressibleByArgument {
    case count(Int)
    case auto

    init?(argument: String) {
        if argument == "auto" { self = .auto } else if let n = Int(argument) { self = .count(n) } else { return nil }
    }

    static var defaultCompletionKind: CompletionKind { .list(["auto"]) }
}
