// TestData.swift: where the tests find their data files.
import Backprop
import ModelFiles
import Foundation

/// Where the tests find their data files: the test vectors in `Tests/Vectors`.
public enum TestData {
    /// The package root (the folder holding Package.swift), found from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Vectors` in the package, or `$BACKPROP_VECTORS` when set.
    public static var vectorsDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["BACKPROP_VECTORS"] {
            return URL(fileURLWithPath: override)
        }
        return packageRoot.appendingPathComponent("Tests/Vectors")
    }

    /// A missing vectors folder: the tests that need it fail with this, never pass vacuously.
    public struct MissingVectors: Error, CustomStringConvertible {
        public let path: String
        public init(path: String) { self.path = path }
        public var description: String {
            "test vectors not found at \(path): the package's Tests/Vectors is missing (or set BACKPROP_VECTORS)"
        }
    }

    /// Every `*.json` case file in the vectors folder, in name order; throws when there are none.
    public static func vectorFiles() throws -> [URL] {
        let dir = vectorsDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        let files = names.filter { $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0) }
        if files.isEmpty { throw MissingVectors(path: dir.path) }
        return files
    }

    /// The vector case named `name` (without `.json`).
    public static func vectorCase(_ name: String) throws -> TrainingCase {
        let url = vectorsDirectory.appendingPathComponent(name + ".json")
        guard FileManager.default.fileExists(atPath: url.path) else { throw MissingVectors(path: url.path) }
        return try TrainingCase.load(path: url.path)
    }

    /// A fresh empty temporary folder for one test.
    public static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
