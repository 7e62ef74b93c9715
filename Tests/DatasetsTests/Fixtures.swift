import CZlib
import Foundation
import Testing

import Datasets

/// A fresh directory for one test's files, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("datasets-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in the directory and returns the full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    @discardableResult
    func write(_ name: String, text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    /// Writes `bytes` gzip-compressed with zlib's own gz* writer (an encoder independent of the
    /// reader under test) and returns the full path.
    @discardableResult
    func writeGzip(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        let gz = try #require(gzopen(file, "wb9"))
        let written = bytes.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
        let closed = gzclose(gz)
        try #require(Int(written) == bytes.count && closed == Z_OK, "gzwrite failed")
        return file
    }

    /// The bytes of a file written earlier.
    func contents(_ file: String) throws -> [UInt8] {
        try Array(Data(contentsOf: URL(fileURLWithPath: file)))
    }
}

/// An IDX file built by hand from the format definition: 00 00, type, rank, big-endian
/// dimensions, data.
func idx(type: UInt8 = 0x08, dimensions: [UInt32], data: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for d in dimensions {
        bytes += [UInt8(d >> 24), UInt8((d >> 16) & 0xFF), UInt8((d >> 8) & 0xFF), UInt8(d & 0xFF)]
    }
    return bytes + data
}

/// Runs `body`, expects it to throw a `DatasetError`, and returns it.
func datasetError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) throws -> DatasetError {
    try #require(throws: DatasetError.self, sourceLocation: sourceLocation) { _ = try body() }
}

/// Element-wise equality within `tolerance` (for values that pass through a rounded reciprocal).
func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-14) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}
