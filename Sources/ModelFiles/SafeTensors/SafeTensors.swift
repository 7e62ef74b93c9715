// SafeTensors.swift: a safetensors container.
import Backprop
import Datasets
import Foundation
import Linalg

/// A safetensors container: named arrays of numbers and free string metadata.
///
/// The file is an 8-byte little-endian header length `N`, then `N` bytes of UTF-8 JSON
/// `{"name": {"dtype": "F64", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {"k": "v"}}`,
/// then the data section, which the tensors' byte ranges (relative to its start) cover exactly.
/// Values are kept as `Double`, with each tensor's dtype as its ``Tensor/precision``: F32 values
/// convert to `Double` exactly, and a float32 tensor is written as F32 (its values rounded to `Float`).
public struct SafeTensors: Sendable, Equatable {
    /// One array: its shape (`[]` for a scalar) and its values in row-major order.
    public struct Tensor: Sendable, Equatable {
        /// Dimensions, outermost first; each ≥ 0.
        public var shape: [Int]
        /// The product of `shape` values (1 for a scalar), last index fastest.
        public var values: [Double]
        /// The dtype: `.float32` is stored as F32, `.float64` as F64.
        public var precision: Precision

        /// - Precondition: no dimension is negative and `values.count` is the product of `shape`.
        public init(shape: [Int], values: [Double], precision: Precision = .float64) {
            precondition(Self.elementCount(shape) == values.count,
                         "SafeTensors.Tensor: shape \(shape) does not hold \(values.count) values")
            self.shape = shape
            self.values = values
            self.precision = precision
        }

        /// The number of values `shape` holds, or nil when a dimension is negative or the product overflows.
        static func elementCount(_ shape: [Int]) -> Int? {
            var count = 1
            for dimension in shape {
                guard dimension >= 0 else { return nil }
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                if overflow { return nil }
                count = product
            }
            return count
        }
    }

    /// The tensors by name; written in sorted-name order. `__metadata__` is not a valid name.
    public var tensors: [String: Tensor]
    /// Free `key: value` strings, stored as the header's `__metadata__`.
    public var metadata: [String: String]

    /// A container holding `tensors` and `metadata` (nothing is checked until ``encoded()``).
    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Header lengths above this are refused unread, as the reference implementation does.
    public static let maximumHeaderLength = 100_000_000

    /// The key of the metadata block in the header.
    static let metadataKey = "__metadata__"

    /// The file's bytes: tensors as F32 or F64 (their ``Tensor/precision``) little-endian, in sorted-name order, packed without gaps;
    /// the header is padded with spaces so the data section starts 8-byte aligned.
    /// - Precondition: every tensor's shape holds its values, and no tensor is named `__metadata__`.
    public func encoded() -> Data {
        precondition(tensors[Self.metadataKey] == nil, "SafeTensors: \(Self.metadataKey) is not a tensor name")
        let names = tensors.keys.sorted()
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(JSONText.string($0)):\(JSONText.string(metadata[$0]!))" }
            entries.append("\(JSONText.string(Self.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            precondition(Tensor.elementCount(tensor.shape) == tensor.values.count,
                         "SafeTensors: tensor \"\(name)\" has shape \(tensor.shape) but \(tensor.values.count) values")
            let end = offset + tensor.precision.byteCount * tensor.values.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            let dtype = tensor.precision.safeTensorsDType
            entries.append("\(JSONText.string(name)):{\"dtype\":\"\(dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var out = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for name in names {
            let tensor = tensors[name]!
            switch tensor.precision {
            case .float32: tensor.values.map { Float($0).bitPattern.littleEndian }.withUnsafeBytes { out.append(contentsOf: $0) }
            case .float64: tensor.values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// Writes ``encoded()`` to `path` through ``AtomicFile``: the old file stays whole on failure.
    public func write(to path: String) throws(FileWriteError) {
        try AtomicFile.write(encoded(), to: path)
    }

    /// Reads and checks a safetensors file (see ``decode(_:file:)``).
    public static func read(path: String) throws(FileFormatError) -> SafeTensors {
        try decode(try FileFormatError.contents(of: path), file: path)
    }

    /// Decodes safetensors bytes; `file` names the source in errors.
    ///
    /// Everything is checked before any tensor is allocated: the header length against the file
    /// and ``maximumHeaderLength``; the header as UTF-8 JSON object; each entry's dtype (F64 or F32),
    /// shape (non-negative, no overflow) and data offsets (inside the data section, spanning exactly
    /// shape × dtype size); and that the tensors cover the data section exactly, without overlap or
    /// gaps. Non-finite values are kept: what they mean is the reader's business.
    /// - Throws: ``FileFormatError`` naming the file, the field (`header["name"].shape`) and the problem.
    public static func decode(_ data: Data, file: String) throws(FileFormatError) -> SafeTensors {
        let layout = try SafeTensorsLayout(data, file: file)
        var tensors: [String: Tensor] = [:]
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            for entry in layout.entries {
                let start = layout.dataStart + entry.begin
                let values: [Double]
                switch entry.dtype {
                case .float64:
                    values = (0..<entry.count).map { i in
                        Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: UInt64.self)))
                    }
                case .float32:
                    values = (0..<entry.count).map { i in
                        Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self))))
                    }
                }
                tensors[entry.name] = Tensor(shape: entry.shape, values: values, precision: entry.dtype)
            }
        }
        return SafeTensors(tensors: tensors, metadata: layout.metadata)
    }

    /// The header field of tensor `name`, or of its `member`: `header["name"].shape`.
    public static func field(_ name: String, _ member: String? = nil) -> String {
        "header[\(Excerpt.quoted(name))]" + (member.map { ".\($0)" } ?? "")
    }
}
