// FileFormatError.swift: a problem in a file this package reads.
import Backprop
import Foundation

/// A problem in a file this package reads: the file, the field (as a path like
/// `layers[1].weights[0][2]`, nil for the whole file) and what is wrong.
public struct FileFormatError: Error, Equatable, CustomStringConvertible {
    /// The file's path as the caller gave it.
    public let file: String
    /// The field, e.g. `layers[1].weights[0][2]`, or nil when the problem is the whole file.
    public let field: String?
    /// What is wrong, as a phrase for the user.
    public let problem: String

    /// A problem in `file` at `field`.
    public init(file: String, field: String?, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var description: String {
        field.map { "\(file): \($0): \(problem)" } ?? "\(file): \(problem)"
    }

    /// The bytes of the file at `path` (memory-mapped when safe), or an error naming it.
    static func contents(of path: String) throws(FileFormatError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw FileFormatError(file: path, field: nil, problem: "cannot read the file: \(error.localizedDescription)")
        }
    }
}
