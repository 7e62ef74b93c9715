// Names.swift: the one table of the names files give losses, activations, scaling methods, precisions and layer kinds, and the messages for a name or version a file may not hold.
import Backprop
import Datasets

/// A value files name by a string: a loss, an activation, a scaling method or a precision.
protocol FileName: RawRepresentable<String>, CaseIterable {
    /// What the value is, in messages ("loss", "activation", …).
    static var what: String { get }
}

extension Loss: FileName { static var what: String { "loss" } }
extension Activation: FileName { static var what: String { "activation" } }
extension FeatureScaler.Method: FileName { static var what: String { "scaling method" } }
extension Precision: FileName { static var what: String { "precision" } }

/// The messages for a name or a version that a file may not hold, written once for every format.
enum Names {
    /// "unknown loss "x" (expected one of squared_error, cross_entropy)": `name` quoted short.
    static func unknown<T: FileName>(_ name: some StringProtocol, _: T.Type) -> String {
        unknown(T.what, name, known: T.allCases.map(\.rawValue))
    }

    /// "unknown layer kind "x" (expected one of dense, …)".
    static func unknownKind(_ name: some StringProtocol) -> String {
        unknown("layer kind", name, known: Layer<Double>.kindNames)
    }

    /// "version 9 is not supported (this build reads versions 1 to 2)"; `shown` is the file's text.
    static func unsupportedVersion(_ shown: String, readable: ClosedRange<Int>) -> String {
        "version \(shown) is not supported (this build reads versions \(readable.lowerBound) to \(readable.upperBound))"
    }

    private static func unknown(_ what: String, _ name: some StringProtocol, known: [String]) -> String {
        "unknown \(what) \(Excerpt.quoted(String(name))) (expected one of \(known.joined(separator: ", ")))"
    }
}
