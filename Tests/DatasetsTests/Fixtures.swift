// Fixtures.swift: temporary directories and files for the data-set tests.
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

/// A `.npy` file (version 1.0) built from the format's definition: the magic, the version, the
/// header length, the header dict padded with spaces to a multiple of 64 bytes and ended by a
/// newline, then `data` as given.
func npy(_ descr: String, shape: [Int], fortran: Bool = false, data: [UInt8]) -> [UInt8] {
    let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var dict = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(tuple), }"
    dict += String(repeating: " ", count: (64 - (10 + dict.utf8.count + 1) % 64) % 64) + "\n"
    let n = dict.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(dict.utf8) + data
}

/// The bytes of `values` in the given byte order.
func bytes<T: FixedWidthInteger>(_ values: [T], bigEndian: Bool = false) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { Array($0) } }
}

/// A zip archive built from the format's definition (local headers, central directory, end
/// record), each member stored or, with `deflate`, raw-deflated by zlib.
func zip(_ members: [(name: String, contents: [UInt8], deflate: Bool)]) throws -> [UInt8] {
    func u16(_ v: Int) -> [UInt8] { bytes([UInt16(v)]) }
    func u32(_ v: Int) -> [UInt8] { bytes([UInt32(v)]) }
    var out: [UInt8] = [], directory: [UInt8] = []
    for m in members {
        let crc = m.contents.withUnsafeBufferPointer { Int(crc32(0, $0.baseAddress, UInt32($0.count))) }
        let stored = m.deflate ? try rawDeflate(m.contents) : m.contents
        let name = Array(m.name.utf8)
        let common = u16(20) + u16(0) + u16(m.deflate ? 8 : 0) + u16(0) + u16(0x21) + u32(crc) + u32(stored.count)
            + u32(m.contents.count) + u16(name.count) + u16(0)
        directory += u32(0x0201_4B50) + u16(20) + common + u16(0) + u16(0) + u16(0) + u32(0) + u32(out.count) + name
        out += u32(0x0403_4B50) + common + name + stored
    }
    let offset = out.count
    return out + directory + u32(0x0605_4B50) + u16(0) + u16(0) + u16(members.count) + u16(members.count)
        + u32(directory.count) + u32(offset) + u16(0)
}

/// `input` compressed by zlib as a raw deflate stream (no zlib header or trailer), as zip stores it.
func rawDeflate(_ input: [UInt8]) throws -> [UInt8] {
    var stream = z_stream()
    try #require(deflateInit2_(&stream, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                               Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    defer { deflateEnd(&stream) }
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))))
    var input = input
    let status = input.withUnsafeMutableBufferPointer { i in
        out.withUnsafeMutableBufferPointer { o in
            stream.next_in = i.baseAddress
            stream.avail_in = UInt32(i.count)
            stream.next_out = o.baseAddress
            stream.avail_out = UInt32(o.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    try #require(status == Z_STREAM_END)
    return Array(out.prefix(Int(stream.total_out)))
}
