// InputFile.swift: a file's content as a stream of bytes, gzip or not.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream of a file's content: its bytes as stored, or as decompressed.
///
/// Readers pull exactly the bytes they need (a header first, then a buffer allocated only after the
/// header has been checked), which is why this is a pull interface and not "read the whole file".
protocol ByteSource: AnyObject {
    /// Fills `buffer` from the current position. Returns the number of bytes written, which is
    /// less than `buffer.count` only when the content has ended.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// An open file, read with plain POSIX calls. Closed when released.
final class InputFile: ByteSource {
    let path: String
    /// Size in bytes at the time it was opened.
    let size: Int
    /// The open descriptor (for `MappedFile`); closed with the object.
    let descriptor: Int32
    /// Bytes consumed so far, for positions in messages.
    private(set) var offset = 0

    /// Opens `path` for reading.
    /// - Throws: `DatasetError` `.fileNotFound` if it does not exist, `.unreadable` if it cannot be
    ///   opened or is a directory.
    init(_ path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let code = errno
            let reason = String(cString: strerror(code))
            if code == ENOENT || code == ENOTDIR {
                throw DatasetError(.fileNotFound, file: path, "no such file (\(reason))")
            }
            throw DatasetError(.unreadable, file: path, "cannot open: \(reason)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw DatasetError(.unreadable, file: path, "cannot stat: \(reason)")
        }
        // open(2) succeeds on directories; read(2) would then fail with a less helpful EISDIR.
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw DatasetError(.unreadable, file: path, "is a directory, not a file")
        }
        descriptor = fd
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// The first `count` bytes of the file (fewer if it is shorter), without moving the read
    /// position: used to tell gzip from raw content before choosing how to read it.
    func peek(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { systemPread(descriptor, $0.baseAddress!, count, 0) }
        guard n >= 0 else {
            let reason = String(cString: strerror(errno))
            throw DatasetError(.unreadable, file: path, at: .byte(0), "read error: \(reason)")
        }
        return Array(bytes.prefix(n))
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        // read(2) may return less than asked (signals, >2 GiB requests on Linux), so loop until
        // the buffer is full or the file ends.
        while done < buffer.count {
            let n = systemRead(descriptor, base + done, buffer.count - done)
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                let reason = String(cString: strerror(errno))
                throw DatasetError(.unreadable, file: path, at: .byte(offset + done), "read error: \(reason)")
            }
        }
        offset += done
        return done
    }
}

/// read(2), reachable under a name that `InputFile.read(into:)` does not shadow.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// pread(2), for the same reason.
private func systemPread(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, _ offset: Int) -> Int {
    pread(descriptor, buffer, count, off_t(offset))
}
