// Inspect.swift: `backprop inspect MODEL`.
import ArgumentParser
import Backprop
import ModelFiles
import Foundation

/// `backprop inspect MODEL`: architecture, parameter count, per-layer weight statistics.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a saved model's architecture, parameter count and per-layer weight statistics."
    )

    @Argument(help: "A model saved by `backprop train --save` (.json or .safetensors).")
    var model: String

    func run() throws {
        let saved = try SavedModel.load(path: model)
        defer { printPyTorchCode(saved) }
        let network = saved.network(Reference<Double>.self)
        print("\(model)")
        print("  layers     \(([network.inputCount] + network.layers.map(\.outputCount)).map(String.init).joined(separator: " → "))")
        print("  loss       \(saved.loss.rawValue)")
        print("  parameters \(network.parameterCount)")
        print("  precision  \(saved.precision.rawValue)")
        print("  scaling    \(saved.scaler?.method.rawValue ?? "none")")
        if let names = saved.classNames { print("  classes    \(names.joined(separator: ", "))") }
        for key in saved.metadata.keys.sorted() { print("  \(key.padding(toLength: 10, withPad: " ", startingAt: 0)) \(saved.metadata[key]!)") }
        print("\n  layer  kind        output      parameters  weights      activation  bias  weights: mean      std       min       max       |W|")
        for (l, layer) in network.layers.enumerated() {
            let w = layer.weights.elements
            let columns = [String(l).padding(toLength: 5, withPad: " ", startingAt: 0),
                           layer.kindName.padding(toLength: 10, withPad: " ", startingAt: 0),
                           layer.outputShape.map(String.init).joined(separator: "×").padding(toLength: 10, withPad: " ", startingAt: 0),
                           String(layer.parameterCount).padding(toLength: 10, withPad: " ", startingAt: 0),
                           (w.isEmpty ? "—" : "\(layer.weights.rows)×\(layer.weights.columns)").padding(toLength: 11, withPad: " ", startingAt: 0),
                           layer.activation.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0),
                           (layer.bias == nil ? "no" : "yes").padding(toLength: 4, withPad: " ", startingAt: 0)]
            guard let low = w.min(), let high = w.max() else {  // A kind without parameters.
                print("  " + columns.joined(separator: "  "))
                continue
            }
            let mean = w.reduce(0, +) / Double(w.count)
            let std = (w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count)).squareRoot()
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            print("  " + columns.joined(separator: "  ") + String(format: "  %9.4f %9.4f %9.4f %9.4f %9.4f", mean, std, low, high, norm))
        }
    }

    /// The PyTorch code for this model's state dict: for the file itself when it is one, otherwise
    /// for the file `backprop export --format torch` would write.
    private func printPyTorchCode(_ saved: SavedModel) {
        let isStateDict = TorchStateDict.isStateDict(path: model)
        let path = isStateDict ? model : (model as NSString).deletingPathExtension + ".torch.safetensors"
        print("\nPyTorch" + (isStateDict ? " (this file is a state dict):" : " (after `backprop export \(model) --format torch --output \(path)`):"))
        for line in TorchStateDict.pytorchCode(saved, path: path).split(separator: "\n", omittingEmptySubsequences: false) {
            print("  " + line)
        }
    }
}
