// ZipArchive.swift: the members of a zip archive (`.npz`) from its central directory in a mapped file, stored or deflated.
import CZlib

/// The members of a zip archive (as `np.savez` and `np.savez_compressed` write), read from its
/// central directory in a mapped file; each member is stored (then read in place) or deflated
/// (then inflated into memory), its CRC-32 checked.
///
/// Every offset and size is checked against the archive before it is used, and a member's
/// declared size against what its compressed bytes can inflate to before its buffer is allocated.
/// Zip64 sizes and offsets are read; encrypted members, other compression methods and
/// multi-disk archives are refused.
struct ZipArchive {
    struct Member {
        let name: String
        let method: Int
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        /// Offset of the member's local header.
        let localOffset: Int
    }

    let path: String
    let file: MappedFile
    let members: [Member]
    private var bytes: UnsafeRawBufferPointer { file.bytes }

    /// A member's uncompressed bytes: in place in the archive's mapping (stored) or inflated.
    enum Contents {
        case mapped(MappedRegion)
        case inflated([UInt8])
    }

    private static let endSignature: UInt32 = 0x0605_4B50, end64Signature: UInt32 = 0x0606_4B50
    private static let locatorSignature: UInt32 = 0x0706_4B50, centralSignature: UInt32 = 0x0201_4B50
    private static let localSignature: UInt32 = 0x0403_4B50

    /// Reads the central directory of the archive mapped in `file`.
    /// - Throws: `DatasetError` naming `path` and the byte for a damaged or unsupported archive.
    init(_ file: MappedFile, path: String) throws {
        self.path = path
        self.file = file
        let bytes = file.bytes
        func fail(_ at: Int, _ message: String) -> DatasetError { DatasetError(.badHeader, file: path, at: .byte(at), message) }
        guard !bytes.isEmpty else { throw DatasetError(.emptyFile, file: path, "file is empty (0 bytes)") }
        // The end record is the last 22 bytes, unless a comment (up to 65,535 bytes) follows it.
        var end = -1
        var k = bytes.count - 22
        while k >= max(0, bytes.count - 22 - 65_535) {
            if Self.u32(bytes, k) == Self.endSignature && k + 22 + Int(Self.u16(bytes, k + 20)) == bytes.count { end = k; break }
            k -= 1
        }
        guard end >= 0 else { throw fail(0, "not a zip archive (no end-of-central-directory record); a .npz file is a zip of .npy files") }
        if Self.u16(bytes, end + 4) != 0 || Self.u16(bytes, end + 6) != 0 {
            throw fail(end + 4, "multi-disk zip archives are not supported")
        }
        var entries = Int(Self.u16(bytes, end + 10))
        var directorySize = Int(Self.u32(bytes, end + 12))
        var directoryOffset = Int(Self.u32(bytes, end + 16))
        if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            let locator = end - 20
            guard locator >= 56, Self.u32(bytes, locator) == Self.locatorSignature else {
                throw fail(end, "the end record asks for zip64 fields, but no zip64 locator precedes it")
            }
            let record64 = Self.u64(bytes, locator + 8)
            guard record64 <= UInt64(locator - 56), Self.u32(bytes, Int(record64)) == Self.end64Signature else {
                throw fail(locator + 8, "the zip64 end record offset \(record64) does not point at a zip64 end record")
            }
            let r = Int(record64)
            let (n, size, offset) = (Self.u64(bytes, r + 32), Self.u64(bytes, r + 40), Self.u64(bytes, r + 48))
            guard n <= UInt64(bytes.count), size <= UInt64(bytes.count), offset <= UInt64(bytes.count) else {
                throw fail(r + 32, "zip64 end record declares sizes beyond the \(bytes.count)-byte file")
            }
            (entries, directorySize, directoryOffset) = (Int(n), Int(size), Int(offset))
        }
        guard directoryOffset + directorySize <= end else {
            throw fail(end + 12, "the central directory (\(directorySize) bytes at \(directoryOffset)) does not fit before the end record at \(end)")
        }
        var members: [Member] = []
        var p = directoryOffset
        for e in 0..<entries {
            guard p + 46 <= directoryOffset + directorySize, Self.u32(bytes, p) == Self.centralSignature else {
                throw fail(p, "central directory entry \(e) of \(entries) is missing or damaged")
            }
            let flags = Self.u16(bytes, p + 8), method = Int(Self.u16(bytes, p + 10))
            let nameLength = Int(Self.u16(bytes, p + 28)), extraLength = Int(Self.u16(bytes, p + 30))
            let commentLength = Int(Self.u16(bytes, p + 32))
            let next = p + 46 + nameLength + extraLength + commentLength
            guard next <= directoryOffset + directorySize else { throw fail(p, "central directory entry \(e) runs past the directory") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            if flags & 1 != 0 { throw fail(p + 8, "member '\(name.prefix(60))' is encrypted") }
            var compressed = UInt64(Self.u32(bytes, p + 20)), size = UInt64(Self.u32(bytes, p + 24))
            var local = UInt64(Self.u32(bytes, p + 42))
            // Zip64 extra field (id 1): 8-byte values for each of the three fields saturated above, in this order.
            var x = p + 46 + nameLength
            while x + 4 <= p + 46 + nameLength + extraLength {
                let id = Self.u16(bytes, x), length = Int(Self.u16(bytes, x + 2))
                guard x + 4 + length <= p + 46 + nameLength + extraLength else { throw fail(x, "member '\(name.prefix(60))': an extra field runs past its entry") }
                if id == 1 {
                    var y = x + 4
                    for field in [0, 1, 2] {
                        let saturated = field == 0 ? size == 0xFFFF_FFFF : field == 1 ? compressed == 0xFFFF_FFFF : local == 0xFFFF_FFFF
                        guard saturated else { continue }
                        guard y + 8 <= x + 4 + length else { throw fail(y, "member '\(name.prefix(60))': the zip64 extra field is too short") }
                        let v = Self.u64(bytes, y)
                        if field == 0 { size = v } else if field == 1 { compressed = v } else { local = v }
                        y += 8
                    }
                }
                x += 4 + length
            }
            guard compressed <= UInt64(bytes.count), local <= UInt64(bytes.count), size <= UInt64(Int.max) else {
                throw fail(p + 20, "member '\(name.prefix(60))' declares sizes or an offset beyond the \(bytes.count)-byte file")
            }
            members.append(Member(name: name, method: method, crc: Self.u32(bytes, p + 16), compressedSize: Int(compressed),
                                  size: Int(size), localOffset: Int(local)))
            p = next
        }
        self.members = members
    }

    /// The uncompressed bytes of `member`, checked: its local header, its method (stored or
    /// deflate), its declared size against the deflate limit, the inflated length and the CRC-32
    /// (of a stored member, in one pass over the mapping, its pages dropped behind).
    func contents(_ member: Member) throws -> Contents {
        func fail(_ kind: DatasetError.Kind, _ at: Int, _ message: String) -> DatasetError {
            DatasetError(kind, file: path, at: .byte(at), "member '\(member.name.prefix(60))': \(message)")
        }
        let h = member.localOffset
        guard h + 30 <= bytes.count, Self.u32(bytes, h) == Self.localSignature else {
            throw fail(.badHeader, h, "no local header at the offset the central directory gives")
        }
        let start = h + 30 + Int(Self.u16(bytes, h + 26)) + Int(Self.u16(bytes, h + 28))
        guard start + member.compressedSize <= bytes.count else {
            throw fail(.truncated, start, "its \(member.compressedSize) compressed bytes run past the end of the file")
        }
        let stored = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + member.compressedSize)])
        let out: Contents
        let crc: UInt32
        switch member.method {
        case 0:
            guard member.size == member.compressedSize else {
                throw fail(.badHeader, h, "stored, but its size \(member.size) differs from its stored size \(member.compressedSize)")
            }
            crc = file.inOrder { Self.crc(stored, file: file) }
            out = .mapped(MappedRegion(file: file, offset: start, count: member.size))
        case 8:
            guard member.size <= IDX.inflationLimit(compressedSize: member.compressedSize) else {
                throw fail(.sizeTooLarge, h, "declares \(member.size) bytes, more than \(member.compressedSize) deflated bytes can hold")
            }
            let inflated = try inflate(stored, size: member.size, fail: fail)
            crc = inflated.withUnsafeBytes { Self.crc($0, file: nil) }
            out = .inflated(inflated)
        default:
            throw fail(.unsupportedType, h, "compression method \(member.method) is not supported (only stored and deflate)")
        }
        guard crc == member.crc else { throw fail(.corruptCompression, start, "CRC-32 mismatch: the member is damaged") }
        return out
    }

    /// The CRC-32 of `bytes`, 1 MiB at a time (zlib takes 32-bit lengths), each reported read
    /// to `file` when they are in its mapping.
    private static func crc(_ bytes: UnsafeRawBufferPointer, file: MappedFile?) -> UInt32 {
        var crc = crc32(0, nil, 0)
        var at = 0
        while at < bytes.count {
            let n = min(1 << 20, bytes.count - at)
            crc = crc32(crc, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + at, UInt32(n))
            file?.didRead(n, scattered: false)
            at += n
        }
        return UInt32(crc)
    }

    /// Raw deflate of exactly `size` bytes.
    private func inflate(_ input: UnsafeRawBufferPointer, size: Int, fail: (DatasetError.Kind, Int, String) -> DatasetError) throws -> [UInt8] {
        guard input.count < Int(UInt32.max), size < Int(UInt32.max) else {
            throw fail(.sizeTooLarge, 0, "members of 4 GiB or more are not supported")
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw fail(.unreadable, 0, "cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: size + 1)  // One spare byte shows a member longer than declared.
        let status: Int32 = out.withUnsafeMutableBufferPointer { o in
            // zlib only reads its input; the pointer type is mutable for old C reasons.
            stream.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
            stream.avail_in = UInt32(input.count)
            stream.next_out = o.baseAddress
            stream.avail_out = UInt32(o.count)
            return CZlib.inflate(&stream, Z_FINISH)
        }
        guard status == Z_STREAM_END else {
            throw fail(.corruptCompression, 0, status == Z_BUF_ERROR ? "the deflate stream is cut off or inflates to more than its declared \(size) bytes" : "the deflate stream is damaged (zlib status \(status))")
        }
        guard Int(stream.total_out) == size else {
            throw fail(.corruptCompression, 0, "inflates to \(stream.total_out) bytes, not the \(size) declared")
        }
        out.removeLast()
        return out
    }

    /// Little-endian integers at byte `i`, bounds-checked in every build (a raw buffer's subscript
    /// is checked only in debug builds): a reading past the end traps as an array's would.
    static func u16(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt16 {
        precondition(i >= 0 && i <= b.count - 2, "zip read at byte \(i) of \(b.count)")
        return UInt16(b[i]) | UInt16(b[i + 1]) << 8
    }
    static func u32(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
    static func u64(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}
