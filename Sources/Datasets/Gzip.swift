// Gzip.swift: gzip members inflated through zlib, and the first two bytes that tell gzip from raw IDX.
import CZlib

/// Every gzip member starts with these two bytes; IDX files start with two zero bytes, so the
/// first two bytes tell the formats apart without relying on the file name.
let gzipMagic: [UInt8] = [0x1f, 0x8b]

/// A gzip file decompressed by zlib as it is read.
///
/// Inflating on demand lets the IDX reader inflate the header alone, check it, allocate the data
/// buffer once, and have zlib write straight into it: neither the compressed file nor a second
/// copy of the decompressed data is ever held. Concatenated gzip members (as written by
/// `cat a.gz b.gz` or pigz) are read as one stream, the way `gzip -d` does.
final class GzipSource: ByteSource {
    let file: InputFile
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var finished = false
    /// Set after `inflateReset`: a format error before the new member produced anything means the
    /// bytes after the previous member are not gzip at all.
    private var inFollowingMember = false
    /// True once the compressed file has ended before the gzip stream did (a cut-off download).
    private(set) var isCutOff = false

    /// Bytes of the compressed file consumed so far, for messages.
    var compressedOffset: Int { file.offset - Int(stream.pointee.avail_in) }

    init(_ file: InputFile) throws {
        self.file = file
        stream = .allocate(capacity: 1)
        // Zeroed zalloc/zfree/opaque select zlib's default allocator, as the zlib manual requires.
        stream.initialize(to: z_stream())
        input = .allocate(byteCount: 1 << 18, alignment: 16)
        // 16 + MAX_WBITS: expect a gzip wrapper (not raw deflate or zlib), largest window, and have
        // zlib check the CRC-32 and length in each member's trailer.
        let status = inflateInit2_(stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            input.deallocate()
            throw DatasetError(.unreadable, file: file.path, "cannot start zlib: \(Self.describe(status, nil))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var produced = 0
        while produced < buffer.count && !finished {
            if stream.pointee.avail_in == 0 && !inputEnded {
                try refill()
            }
            // avail_out is a 32-bit count; buffers over 4 GiB are filled in several calls.
            let room = min(buffer.count - produced, Int(UInt32.max))
            stream.pointee.next_out = (base + produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(room)
            let status = inflate(stream, Z_NO_FLUSH)
            produced += room - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                try startNextMember()
            case Z_BUF_ERROR:
                // No progress was possible. There is always output room here, so zlib wants
                // input; if the file has none left, the stream was cut off.
                if stream.pointee.avail_in == 0 && inputEnded {
                    isCutOff = true
                    finished = true
                }
            default:
                if inFollowingMember && stream.pointee.total_out == 0 && status == Z_DATA_ERROR {
                    throw DatasetError(
                        .trailingData, file: file.path,
                        "unexpected bytes after the end of the gzip stream, at compressed byte \(memberEnd)")
                }
                throw DatasetError(
                    .corruptCompression, file: file.path,
                    "corrupt gzip data near compressed byte \(compressedOffset): zlib says \(Self.describe(status, stream.pointee.msg))")
            }
        }
        return produced
    }

    /// Compressed offset where the last complete member ended.
    private var memberEnd = 0

    private func refill() throws {
        let n = try file.read(into: input)
        if n == 0 { inputEnded = true }
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(n)
    }

    /// After a member's trailer: finish if the file ends here, otherwise start inflating the next
    /// member (zlib stops at each member's end).
    private func startNextMember() throws {
        memberEnd = compressedOffset
        if stream.pointee.avail_in == 0 && !inputEnded { try refill() }
        if stream.pointee.avail_in == 0 {
            finished = true
            return
        }
        inflateReset(stream)
        inFollowingMember = true
    }

    private static func describe(_ status: Int32, _ message: UnsafeMutablePointer<CChar>?) -> String {
        if let message { return "\"\(String(cString: message))\"" }
        return "\"\(String(cString: zError(status)))\" (status \(status))"
    }
}
