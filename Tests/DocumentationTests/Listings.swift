// Listings.swift: the articles' code listings, kept in one place with the code that runs them.
import Foundation
import TestSupport

/// The articles' code listings, kept in one place with the code that runs them.
///
/// In a test file, a listing is the lines between `// listing: NAME` and `// end listing`; its text,
/// less the common indentation, must equal the article's ```swift block at the same position.
/// A listing's `print` output goes to a ``Transcript``; when the article has a ```text block right
/// after the listing (with only prose between), that block must equal what the listing printed,
/// unless the marker line says `output not compared` (for timings).
enum Listings {
    /// One listing of a test file.
    struct Listing: Equatable {
        var name: String
        var code: String
        var comparesOutput: Bool
    }

    /// One ```swift block of an article, and the ```text block that follows it, if any.
    struct ArticleBlock: Equatable {
        var code: String
        var output: String?
    }

    /// A file's text, from a path relative to the package root (or an absolute one).
    static func read(_ path: String) throws -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : TestData.packageRoot.appendingPathComponent(path)
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The listings of a Swift test file, in order.
    static func listings(inSwift text: String) -> [Listing] {
        var result: [Listing] = []
        var current: (name: String, compares: Bool, lines: [String])?
        for line in text.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// listing: ") {
                let spec = trimmed.dropFirst("// listing: ".count)
                let name = spec.split(separator: " ").first.map(String.init) ?? ""
                current = (name, !spec.contains("output not compared"), [])
            } else if trimmed == "// end listing", let c = current {
                result.append(Listing(name: c.name, code: dedent(c.lines), comparesOutput: c.compares))
                current = nil
            } else if current != nil {
                current!.lines.append(line)
            }
        }
        return result
    }

    /// The ```swift blocks of a Markdown article with the ```text block that follows each.
    static func blocks(inArticle text: String) -> [ArticleBlock] {
        var result: [ArticleBlock] = []
        var fence: (language: String, lines: [String])?
        var lastWasSwift = false
        for line in text.components(separatedBy: "\n") {
            if let f = fence {
                if line.hasPrefix("```") {
                    let body = f.lines.joined(separator: "\n")
                    if f.language == "swift" {
                        result.append(ArticleBlock(code: body, output: nil))
                        lastWasSwift = true
                    } else {
                        if f.language == "text" && lastWasSwift { result[result.count - 1].output = body }
                        lastWasSwift = false
                    }
                    fence = nil
                } else {
                    fence!.lines.append(line)
                }
            } else if line.hasPrefix("```") {
                fence = (String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), [])
            }
        }
        return result
    }

    /// Removes the indentation common to all non-blank lines, and leading and trailing blank lines.
    static func dedent(_ lines: [String]) -> String {
        var lines = lines
        while let first = lines.first, first.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeFirst() }
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        let indent = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return lines.map { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "" : String($0.dropFirst(indent)) }
            .joined(separator: "\n")
    }
}

/// What the listings printed, per running test (a task-local, so tests may run in parallel).
final class Transcript: @unchecked Sendable {
    @TaskLocal static var current: Transcript?
    private let lock = NSLock()
    private var parts: [String: String] = [:]
    private var order: [String] = []
    private var active = "unnamed"

    /// Starts collecting output under `name` (the listing being run).
    func begin(_ name: String) {
        lock.withLock {
            active = name
            if parts[name] == nil { parts[name] = ""; order.append(name) }
        }
    }

    func append(_ text: String) {
        lock.withLock { parts[active, default: ""] += text }
    }

    /// Everything printed under `name`.
    func output(_ name: String) -> String {
        lock.withLock { parts[name] ?? "" }
    }

    /// Runs `body` with a fresh transcript and returns it.
    static func record(_ body: () throws -> Void) rethrows -> Transcript {
        let transcript = Transcript()
        try $current.withValue(transcript) { try body() }
        return transcript
    }
}

/// Shadows `Swift.print` for the listings: writes to the test's transcript as well as to stdout.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    Swift.print(text, terminator: "")
    Transcript.current?.append(text)
}

/// Checks an article against the test file that holds its listings.
enum ArticleCheck {
    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    /// The article's ```swift blocks must be the test file's listings (those whose names start
    /// with `prefix`), in order and word for word.
    static func code(article: String, tests testsPath: String, prefix: String = "") throws {
        let blocks = Listings.blocks(inArticle: try Listings.read(article))
        let listings = Listings.listings(inSwift: try String(contentsOfFile: testsPath, encoding: .utf8))
            .filter { $0.name.hasPrefix(prefix) }
        guard !listings.isEmpty else { throw Mismatch(description: "\(testsPath) has no listings") }
        guard blocks.count == listings.count else {
            throw Mismatch(description: "\(article) has \(blocks.count) swift blocks, \(testsPath) has \(listings.count) listings")
        }
        for (block, listing) in zip(blocks, listings) where block.code != listing.code {
            throw Mismatch(description: "\(article): the listing \"\(listing.name)\" differs from the test's:\n--- article\n\(block.code)\n--- test\n\(listing.code)")
        }
    }

    /// For each listing `transcript` ran, the ```text block after it in the article (if any)
    /// must be what it printed, unless the listing is marked `output not compared`.
    static func outputs(of transcript: Transcript, article: String, tests testsPath: String, prefix: String = "") throws {
        let blocks = Listings.blocks(inArticle: try Listings.read(article))
        let listings = Listings.listings(inSwift: try String(contentsOfFile: testsPath, encoding: .utf8))
            .filter { $0.name.hasPrefix(prefix) }
        // To refresh an article's outputs: run with BACKPROP_LISTING_OUTPUT=DIR, copy DIR/NAME.txt in.
        if let dir = ProcessInfo.processInfo.environment["BACKPROP_LISTING_OUTPUT"] {
            for listing in listings where !transcript.output(listing.name).isEmpty {
                try transcript.output(listing.name).write(toFile: "\(dir)/\(listing.name).txt", atomically: true, encoding: .utf8)
            }
        }
        for (index, listing) in listings.enumerated() where index < blocks.count && listing.comparesOutput {
            guard let shown = blocks[index].output, !transcript.output(listing.name).isEmpty else { continue }
            let printed = transcript.output(listing.name)
            if shown + "\n" != printed {
                throw Mismatch(description: "\(article): the output shown after \"\(listing.name)\" is not what it prints:\n--- article\n\(shown)\n--- printed\n\(printed)")
            }
        }
    }
}
