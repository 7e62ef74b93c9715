// StreamedFile.swift: a file written piece by piece as it is computed, replacing its path atomically when it is complete (as AtomicFile does for a file written at once).
import Backprop
import ModelFiles
import Foundation

/// A file written a piece at a time into a temporary file beside `path` (`.<name>.<random>.tmp`),
/// which ``commit()`` flushes to disk and renames over `path`: a reader, or a crash, sees the old
/// file or the complete new one, never a part. If it is released without ``commit()`` (an error
/// on the way), the temporary file is removed and `path` is as it was.
final class StreamedFile {
    /// The file to replace.
    let path: String
    private let temporary: String
    private var handle: FileHandle?

    /// Creates the temporary file beside `path`.
    /// - Throws: ``FileWriteError`` naming `path` when the folder refuses a new file.
    init(_ path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        for _ in 0..<100 {
            let candidate = folder + "/." + url.lastPathComponent + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
            let descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if descriptor >= 0 {
                temporary = candidate
                handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                return
            }
            if errno != EEXIST && errno != EINTR {
                throw FileWriteError(path: path, step: "creating a temporary file in \(folder)", code: errno)
            }
        }
        throw FileWriteError(path: path, step: "creating a temporary file in \(folder) (100 names were taken)", code: EEXIST)
    }

    deinit {
        if handle != nil { unlink(temporary) }
    }

    /// Appends `bytes`.
    /// - Throws: ``FileWriteError`` naming `path` (a full disk, an I/O error).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(handle!.fileDescriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileWriteError(path: path, step: "writing \(bytes.count) bytes to \(temporary)", code: errno)
            }
            done += n
        }
    }

    /// Flushes the file to disk (with the permission bits of the file it replaces), closes it,
    /// renames it over `path` and flushes the folder.
    /// - Throws: ``FileWriteError`` naming `path` and the step; `path` is then as it was.
    func commit() throws {
        let descriptor = handle!.fileDescriptor
        var old = stat()  // A replaced file keeps its permission bits.
        if stat(path, &old) == 0, (old.st_mode & S_IFMT) == S_IFREG, fchmod(descriptor, old.st_mode & 0o7777) != 0 {
            throw FileWriteError(path: path, step: "copying the old file's permissions", code: errno)
        }
        if fsync(descriptor) != 0 { throw FileWriteError(path: path, step: "flushing \(temporary) to disk", code: errno) }
        try? handle!.close()
        handle = nil
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw FileWriteError(path: path, step: "renaming \(temporary) over it", code: code)
        }
        // The folder's entries flushed, so the rename survives a crash (some filesystems cannot: EINVAL).
        let folder = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }
}
