// OutputPath.swift: checks, before any work, that an option's output file can be written.
import ArgumentParser
import Foundation

/// Checks, before any work, that a file can be written where an option says, so a long
/// training run does not end in an error it could have given at the start.
enum OutputPath {
    /// Throws a ValidationError naming `option` and `path` when the folder is missing, is not a
    /// folder, or is not writable, or when `path` is itself a folder.
    static func check(_ path: String, option: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("\(option) \(path): the path is a folder, not a file")
        }
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw ValidationError("\(option) \(path): the folder \(folder) does not exist")
        }
        guard isDirectory.boolValue else {
            throw ValidationError("\(option) \(path): \(folder) is a file, not a folder")
        }
        guard access(folder, W_OK) == 0 else {
            let reason = errno == EROFS ? "is on a read-only filesystem" : "is not writable"
            throw ValidationError("\(option) \(path): the folder \(folder) \(reason)")
        }
    }
}
