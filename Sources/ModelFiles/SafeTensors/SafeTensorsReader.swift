// SafeTensorsReader.swift: reads the metadata strings and tensors of a decoded safetensors container for model files and checkpoints, naming the field at fault one way.
import Backprop
import Foundation

/// Reads the metadata strings and tensors of a decoded safetensors container for model files and
/// checkpoints, naming the field at fault one way: `header["name"]` for a tensor, `header["name"].shape`
/// for its shape, `header["__metadata__"]["key"]` for a metadata entry, and `name[i][j]` for an element.
struct SafeTensorsReader {
    let container: SafeTensors
    let file: String

    func fail(_ field: String?, _ problem: String) -> FileFormatError {
        FileFormatError(file: file, field: field, problem: problem)
    }

    /// The field name of metadata entry `key`.
    static func metadataField(_ key: String) -> String {
        "\(SafeTensors.field(SafeTensors.metadataKey))[\(JSONText.string(key))]"
    }

    /// A metadata entry that must be present.
    func string(_ key: String) throws(FileFormatError) -> String {
        guard let value = container.metadata[key] else { throw fail(Self.metadataField(key), "missing field") }
        return value
    }

    /// A metadata entry holding a non-negative integer.
    func integer(_ key: String) throws(FileFormatError) -> Int {
        let text = try string(key)
        guard let n = Int(text), n >= 0 else {
            throw fail(Self.metadataField(key), "expected a non-negative integer, found \(JSONText.string(text))")
        }
        return n
    }

    /// A metadata entry holding JSON of `type` (non-finite numbers as the strings `inf`, `-inf`, `nan`).
    func decode<T: Decodable>(_ type: T.Type, _ key: String) throws(FileFormatError) -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let text = try string(key)
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw fail(Self.metadataField(key), "not the expected JSON: \(error)")
        }
    }

    /// The tensor `name`, which must be present (`missing` explains why it is expected) and, when
    /// `shape` is given, have that shape (`what` explains it).
    func tensor(_ name: String, shape: [Int]? = nil, what: String = "", missing: String = "") throws(FileFormatError) -> SafeTensors.Tensor {
        guard let t = container.tensors[name] else { throw fail(SafeTensors.field(name), "missing tensor\(missing)") }
        if let shape, t.shape != shape {
            throw fail(SafeTensors.field(name, "shape"), "expected \(shape)\(what), found \(t.shape)")
        }
        return t
    }

    /// NaN or infinity in tensor `name` is an error naming the element (`[i][j]` when `columns` > 0).
    func checkFinite(_ values: [Double], _ name: String, columns: Int) throws(FileFormatError) {
        guard let i = values.firstIndex(where: { !$0.isFinite }) else { return }
        let index = columns > 0 ? "[\(i / columns)][\(i % columns)]" : "[\(i)]"
        throw fail("\(name)\(index)", "value \(values[i]) is not finite")
    }
}
