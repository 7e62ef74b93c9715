// ModelFormat.swift: the file formats a ``SavedModel`` is written in; the raw value is the file extension.
import Backprop
import Foundation

/// The file formats a ``SavedModel`` is written in; the raw value is the file extension.
public enum ModelFormat: String, CaseIterable, Sendable {
    /// Readable text, with the layers as in `vectors/FORMAT.md` (``SavedModel`` documents the fields).
    case json
    /// A safetensors container: the weights as F32 or F64 tensors (the model's precision), the rest in its metadata.
    case safetensors

    /// The format a path's extension names (case-insensitive), or nil.
    public init?(path: String) {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        self.init(rawValue: ext)
    }
}
