// FileKind.swift: the kinds of file `backprop` reads, told apart by content, for a message when one is given for another.
import Backprop
import Foundation

/// The kinds of file `backprop` reads, told apart by their content, so a file given where another
/// kind belongs (a checkpoint as a model, a model as a checkpoint, a case file as a model) gets a
/// message saying which kind it is and which was wanted.
enum FileKind: String {
    case model = "a model saved by `backprop train --save`"
    case checkpoint = "a training checkpoint (written by `backprop train --checkpoint-every N`)"
    case caseFile = "a test-vector case file (layers, inputs, targets; Tests/Vectors/FORMAT.md)"
    case json = "a JSON file"

    /// The kind of a parsed JSON document, when it is one of ours.
    static func of(json root: [String: JSONValue]) -> FileKind? {
        if case .string(SavedModel.formatName) = root["format"] { return .model }
        if root["layers"] != nil && root["inputs"] != nil && root["targets"] != nil { return .caseFile }
        return nil
    }

    /// The kind a `format` metadata value names (safetensors models and checkpoints).
    static func of(format: String) -> FileKind? {
        switch format {
        case SavedModel.formatName: return .model
        case Checkpoint.formatName: return .checkpoint
        default: return nil
        }
    }

    /// `.json` when `data` starts (after white space) with `{`: no safetensors file does, as its
    /// first 8 bytes are a little-endian header length.
    static func jsonText(_ data: Data) -> FileKind? {
        data.first { ![0x20, 0x0A, 0x0D, 0x09].contains($0) } == UInt8(ascii: "{") ? .json : nil
    }

    /// "this is KIND; WANTED was wanted".
    func given(whereWanted wanted: FileKind) -> String {
        "this is \(rawValue), but \(wanted.rawValue) was wanted"
    }
}
