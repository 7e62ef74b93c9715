// ExchangeMode.swift: `train --distributed --exchange`.
import ArgumentParser

/// `train --distributed --exchange`: how the processes exchange each step's gradients (default blocking).
enum ExchangeMode: String, ExpressibleByArgument, CaseIterable {
    /// One non-blocking all-reduce per layer, each started as soon as backprop has that layer's
    /// gradients and all waited for before the optimiser step (with `--threads 1`; with more threads
    /// the slices are combined only after the whole backward pass, so the exchange is blocking).
    case overlapped
    /// One all-reduce of every gradient after the backward pass.
    case blocking
}
