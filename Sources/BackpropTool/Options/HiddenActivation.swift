// HiddenActivation.swift: the activations a hidden layer accepts (`train --activation`).
import ArgumentParser
import Backprop

/// The activations a hidden layer accepts (`train --activation`): every ``Activation`` but softmax,
/// which belongs on the output layer only. `--help` lists exactly these.
enum HiddenActivation: String, ExpressibleByArgument, CaseIterable {
    case identity, sigmoid, tanh, relu

    /// The library's activation of the same name.
    var activation: Activation { Activation(rawValue: rawValue)! }
}
