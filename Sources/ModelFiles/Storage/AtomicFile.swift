// AtomicFile.swift: replaces files whole.
import Backprop
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces files whole: a reader (or a crash, or a full disk) sees either the old file or the new
/// one, never a mixture or a truncated file.
public enum AtomicFile {
    /// Writes `data` to `path` atomically and durably.
    ///
    /// Writes a temporary file with a unique name in the same folder (so the rename cannot cross
    /// filesystems), writes all of `data`, flushes it to disk (`fsync`), renames it over `path`, and
    /// flushes the folder so the rename itself survives a crash. A new file gets the usual mode
    /// (0o666 less the umask); a replaced file keeps its permission bits.
    ///
    /// On any failure before the rename, the file at `path` is untouched and the temporary file is
    /// removed. Only a failure to flush the folder after the rename leaves the new content in place.
    /// - Throws: ``FileWriteError`` naming `path`, the step that failed and the `errno` reason.
    public static func write(_ data: Data, to path: String) throws(FileWriteError) {
        let folder = directory(of: path)
        let temporary = try createTemporary(in: folder, for: path)
        var isOpen = true
        do throws(FileWriteError) {
            try fill(temporary.descriptor, with: data, path: path)
            try keepPermissions(of: path, on: temporary.descriptor)
            if fsync(temporary.descriptor) != 0 {
                throw failure(errno, path, "flushing the temporary file \(temporary.path) to disk")
            }
            isOpen = false  // Linux releases the descriptor even when close fails: never close it twice.
            if close(temporary.descriptor) != 0 { throw failure(errno, path, "closing the temporary file \(temporary.path)") }
            if rename(temporary.path, path) != 0 { throw failure(errno, path, "renaming \(temporary.path) over it") }
        } catch {
            if isOpen { _ = close(temporary.descriptor) }
            _ = unlink(temporary.path)
            throw error
        }
        try flushDirectory(folder, path: path)
    }

    /// The folder holding `path` ("." for a bare name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// Opens a new file `.<name>.<random>.tmp` beside `path`, retrying on the (unlikely) name clash.
    private static func createTemporary(in folder: String, for path: String) throws(FileWriteError) -> (path: String, descriptor: Int32) {
        let name = path.split(separator: "/").last.map(String.init) ?? "file"
        for _ in 0..<100 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let candidate = "\(folder)/.\(name).\(suffix).tmp"
            let descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if descriptor >= 0 { return (candidate, descriptor) }
            let code = errno
            if code != EEXIST && code != EINTR { throw failure(code, path, "creating a temporary file in \(folder)") }
        }
        throw FileWriteError(path: path, step: "creating a temporary file in \(folder) (100 names were taken)", code: EEXIST)
    }

    /// Writes all of `data`, resuming after partial writes and interruptions.
    private static func fill(_ descriptor: Int32, with data: Data, path: String) throws(FileWriteError) {
        let failed: Int32? = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Int32? in
            var done = 0
            while done < bytes.count {
                let n = systemWrite(descriptor, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        if let failed { throw FileWriteError(path: path, step: "writing \(data.count) bytes", code: failed) }
    }

    /// Gives the new file the permission bits of the file it replaces, if there is one.
    private static func keepPermissions(of path: String, on descriptor: Int32) throws(FileWriteError) {
        var old = stat()
        guard stat(path, &old) == 0, (old.st_mode & S_IFMT) == S_IFREG else { return }
        if fchmod(descriptor, old.st_mode & 0o7777) != 0 { throw failure(errno, path, "copying the old file's permissions") }
    }

    /// Flushes the folder's entries, so a crash after the rename cannot bring the old name back.
    private static func flushDirectory(_ folder: String, path: String) throws(FileWriteError) {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor < 0 { throw failure(errno, path, "opening \(folder) to flush it (the new file is in place)") }
        defer { _ = close(descriptor) }
        // Some filesystems cannot fsync a folder (EINVAL); their renames are as durable as they get.
        if fsync(descriptor) != 0 {
            let code = errno
            if code != EINVAL { throw failure(code, path, "flushing \(folder) to disk (the new file is in place)") }
        }
    }

    /// The error for `code`; callers pass `errno` first, before building the message can change it.
    private static func failure(_ code: Int32, _ path: String, _ step: String) -> FileWriteError {
        FileWriteError(path: path, step: step, code: code)
    }
}

/// POSIX `write(2)` (inside ``AtomicFile`` the name means its own method).
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
    #elseif canImport(Musl)
    Musl.write(descriptor, buffer, count)
    #else
    Darwin.write(descriptor, buffer, count)
    #endif
}
