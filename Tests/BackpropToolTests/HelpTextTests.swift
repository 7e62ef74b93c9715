// HelpTextTests.swift: `--help` wraps at the terminal's width and every option lists only the values it accepts.
import Foundation
import Testing
import TestSupport

/// `--help` is paragraphs that ArgumentParser wraps at the terminal's width, and every option lists
/// only the values it accepts.
@Suite struct HelpTextTests {
    static let commands = [[], ["quiz"], ["step"], ["verify"], ["gradcheck"], ["train"], ["evaluate"], ["predict"], ["inspect"]]

    /// The leading spaces of `line`.
    static func indentation(_ line: Substring) -> Int { line.prefix { $0 == " " }.count }

    /// Pairs of consecutive lines of one paragraph (same indentation, neither empty nor an option or
    /// list line) where the first word of the second would have fitted on the first: a line broken
    /// before the terminal's width, i.e. a hard line break inside a sentence.
    static func earlyBreaks(in help: String, width: Int) -> [String] {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        var found: [String] = []
        for (line, next) in zip(lines, lines.dropFirst()) {
            let text = next.drop { $0 == " " }
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty, !text.isEmpty,
                  Self.indentation(line) == Self.indentation(next),
                  !line.drop(while: { $0 == " " }).hasPrefix("-"), !text.hasPrefix("-"), !text.hasPrefix("<"),
                  let word = text.split(separator: " ").first else { continue }
            // ArgumentParser keeps lines below `width` columns.
            if line.count + 1 + word.count < width { found.append("\(line)⏎\(next)") }
        }
        return found
    }

    @Test(arguments: commands)
    func helpParagraphsWrapAtTheTerminalWidth(command: [String]) throws {
        // Not a terminal: ArgumentParser wraps at 80 columns.
        let run = try Tool.run(command + ["--help"])
        #expect(run.status == 0, "\(run.standardError)")
        let breaks = Self.earlyBreaks(in: run.standardOutput, width: 80)
        #expect(breaks.isEmpty, "backprop \(command.joined(separator: " ")) --help breaks lines early:\n\(breaks.joined(separator: "\n"))")
    }

    @Test func theHiddenActivationOffersOnlyWhatAHiddenLayerAccepts() throws {
        let help = try Tool.run(["train", "--help"]).standardOutput
        let flat = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let activation = try #require(flat.range(of: "--activation <activation>"))
        let output = try #require(flat.range(of: "--output <output>"))
        let section = flat[activation.upperBound..<output.lowerBound]
        #expect(section.contains("(values: identity, sigmoid, tanh, relu)"), "\(section)")
        let run = try Tool.run(["train", "--activation", "softmax"])
        #expect(run.status != 0)
        #expect(run.standardError.contains("'softmax' is invalid for '--activation"), "\(run.standardError)")
    }
}
