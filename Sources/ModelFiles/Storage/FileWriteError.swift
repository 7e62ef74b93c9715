// FileWriteError.swift: why a file could not be written.
#if canImport(Glibc)
import Backprop
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be written: the file, the step that failed, and the system's reason (from `errno`).
///
/// When ``AtomicFile/write(_:to:)`` throws this before its final rename, the file at `path` is as it was.
public struct FileWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The system's reason, grouped into the cases a user can act on.
    public enum Reason: Equatable, Sendable {
        /// The folder that should hold the file does not exist (`ENOENT`).
        case directoryMissing
        /// Some part of the folder path is a regular file, not a folder (`ENOTDIR`).
        case notADirectory
        /// The target path is a folder, so no file can replace it (`EISDIR`).
        case targetIsADirectory
        /// No permission to create or replace files in the folder (`EACCES`, `EPERM`).
        case permissionDenied
        /// The folder is on a read-only filesystem (`EROFS`).
        case readOnlyFileSystem
        /// The filesystem (or the user's quota on it) is full (`ENOSPC`, `EDQUOT`).
        case diskFull
        /// The data is larger than a file may be here (`EFBIG`).
        case fileTooLarge
        /// A reading or writing device failed (`EIO`).
        case inputOutput
        /// Any other `errno`.
        case other

        /// The reason for an `errno` value.
        public init(errno code: Int32) {
            switch code {
            case ENOENT: self = .directoryMissing
            case ENOTDIR: self = .notADirectory
            case EISDIR: self = .targetIsADirectory
            case EACCES, EPERM: self = .permissionDenied
            case EROFS: self = .readOnlyFileSystem
            case ENOSPC, EDQUOT: self = .diskFull
            case EFBIG: self = .fileTooLarge
            case EIO: self = .inputOutput
            default: self = .other
            }
        }
    }

    /// The file that was to be written.
    public let path: String
    /// What was being done when it failed, e.g. "creating a temporary file in /models".
    public let step: String
    /// The `errno` the system call set.
    public let code: Int32
    /// `code`, grouped.
    public var reason: Reason { Reason(errno: code) }

    /// An error for `path`, failing at `step` with `errno` value `code`.
    public init(path: String, step: String, code: Int32) {
        self.path = path
        self.step = step
        self.code = code
    }

    public var description: String {
        let explanation: String
        switch reason {
        case .directoryMissing: explanation = "the folder does not exist"
        case .notADirectory: explanation = "part of the folder path is a file, not a folder"
        case .targetIsADirectory: explanation = "the path is a folder"
        case .permissionDenied: explanation = "permission denied"
        case .readOnlyFileSystem: explanation = "the filesystem is read-only"
        case .diskFull: explanation = "the disk is full"
        case .fileTooLarge: explanation = "the file would be too large"
        case .inputOutput: explanation = "an input/output error"
        case .other: explanation = "failed"
        }
        let system = String(cString: strerror(code))
        return "cannot write \(path): \(explanation) (\(step): \(system), errno \(code))"
    }
}
