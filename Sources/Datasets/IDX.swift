// IDX.swift: the IDX format of MNIST, Fashion-MNIST, EMNIST and KMNIST, raw or gzip-compressed.
/// The IDX format of MNIST, Fashion-MNIST, EMNIST and KMNIST, raw or gzip-compressed.
///
/// Layout: a 4-byte magic number `00 00 TT NN` (`TT` the element type, `NN` the number of
/// dimensions), then `NN` big-endian 32-bit dimension sizes, then the elements in row-major order.
/// Only element type `0x08` (unsigned byte) is supported; it is the only one these data sets use.
///
/// Headers are checked before anything large is allocated: a declared size that overflows, exceeds
/// `maximumDataSize`, does not match a raw file's length, or exceeds what a gzip file of that size
/// can possibly inflate to is rejected after reading at most 1 KiB.
public enum IDX {
    /// The largest data section accepted (8 GiB). Real IDX files are far smaller; a larger
    /// declaration is a corrupt header, and refusing it early avoids a doomed allocation.
    public static let maximumDataSize: Int = Int(clamping: UInt64(1) << 33)

    /// Deflate cannot compress better than about 1032:1, so a gzip file of `c` bytes cannot
    /// inflate to more than this many bytes. The slack covers gzip framing on tiny files.
    static func inflationLimit(compressedSize c: Int) -> Int {
        let (product, overflow) = c.multipliedReportingOverflow(by: 1032)
        let (limit, overflow2) = product.addingReportingOverflow(1 << 16)
        return overflow || overflow2 ? Int.max : limit
    }

    /// Reads an IDX file, gzip-compressed (recognised by its `1f 8b` magic, whatever the name) or raw.
    ///
    /// - Returns: the dimension sizes, outermost first, and the `shape.reduce(1, *)` elements in
    ///   row-major order.
    /// - Throws: `DatasetError` if the file is missing or unreadable, is empty, has a wrong magic
    ///   number or an element type other than `0x08`, declares an absurd size, holds less or more
    ///   data than it declares, or is not valid gzip.
    public static func read(_ path: String) throws -> (shape: [Int], bytes: [UInt8]) {
        let file = try IDXFile(path)
        return (file.shape, try file.readData())
    }

    /// The dimension sizes declared in an IDX file's header, checked as `read` checks them but
    /// without reading the data.
    public static func shape(of path: String) throws -> [Int] {
        try IDXFile(path).shape
    }

    /// Loads images and labels into a `Dataset` whose features stay bytes: an uncompressed images
    /// file is memory-mapped and read in place (`FeatureStorage.mapped`, `uint8`); a gzip one is
    /// inflated whole into memory (`FeatureStorage.bytes`).
    ///
    /// - Parameters:
    ///   - images: an IDX file of shape N×rows×cols (or N×d, or any N×…); each image is flattened
    ///     row-major into `featureCount` = rows·cols features; N×rows×cols (or N×C×rows×cols) gives
    ///     the data set its `imageShape`.
    ///   - labels: an IDX file of shape N with one class index per image.
    ///   - classCount: the number of classes; by default the largest label + 1. If given, every
    ///     label must be below it.
    /// - Throws: `DatasetError` for any problem `read` reports, for a labels file that is not 1-D
    ///   or an images file that is not at least 2-D, for differing N (found from the headers, before
    ///   either data section is allocated), for no samples, and for a label not below `classCount`.
    public static func loadDataset(images: String, labels: String, classCount: Int? = nil) throws -> Dataset {
        if let classCount, !(1...Dataset.maximumClassCount).contains(classCount) {
            throw DatasetError(
                .invalidArgument, file: labels,
                "class count \(classCount) is outside 1...\(Dataset.maximumClassCount)")
        }
        let labelFile = try IDXFile(labels)
        guard labelFile.shape.count == 1 else {
            throw DatasetError(
                .badHeader, file: labels, at: .byte(3),
                "a labels file must have 1 dimension (N), but this one has shape \(formatShape(labelFile.shape))")
        }
        let imageFile = try IDXFile(images)
        guard imageFile.shape.count >= 2 else {
            throw DatasetError(
                .badHeader, file: images, at: .byte(3),
                "an images file must have at least 2 dimensions (N×rows×cols or N×features), but this one has shape \(formatShape(imageFile.shape))")
        }
        let count = imageFile.shape[0]
        let featureCount = imageFile.itemSize
        guard featureCount > 0 else {
            throw DatasetError(
                .badHeader, file: images, at: .byte(8),
                "shape \(formatShape(imageFile.shape)) has no features per image")
        }
        guard labelFile.shape[0] == count else {
            throw DatasetError(
                .countMismatch, file: images, at: .byte(4),
                "holds \(count) images but \(labels) holds \(labelFile.shape[0]) labels")
        }
        guard count > 0 else {
            throw DatasetError(.emptyFile, file: images, at: .byte(4), "holds no images (N = 0)")
        }

        // Labels first: they are small, and a bad label should not cost reading the images.
        let labelBytes = try labelFile.readData()
        var largest = 0
        for (i, label) in labelBytes.enumerated() {
            if let classCount, Int(label) >= classCount {
                throw DatasetError(
                    .badLabel, file: labels, at: .byte(labelFile.headerSize + i),
                    "label \(label) of sample \(i) is not below the class count \(classCount)")
            }
            largest = max(largest, Int(label))
        }
        let pixels: FeatureStorage
        if let region = try imageFile.mappedData() {
            pixels = .mapped(MappedFeatures(region: region, dtype: .unsigned(bytes: 1), bigEndian: false, rows: count,
                                            featureCount: featureCount))
        } else {
            pixels = .bytes(try imageFile.readData())
        }
        return try Dataset(
            features: pixels, labels: labelBytes.map { Int($0) },
            featureCount: featureCount, classCount: classCount ?? largest + 1,
            source: "\(images) + \(labels)", imageShape: Dataset.imageShape(ofArray: imageFile.shape))
    }

    static func formatShape(_ shape: [Int]) -> String {
        shape.map(String.init).joined(separator: "×")
    }
}

/// An IDX file whose header has been read and checked; the data is read on request.
struct IDXFile {
    let path: String
    let shape: [Int]
    /// Bytes before the data: 4 for the magic number plus 4 per dimension.
    let headerSize: Int
    /// Product of all dimensions.
    let dataSize: Int
    /// Product of all dimensions but the first: the size of one image.
    let itemSize: Int
    private let file: InputFile
    private let source: ByteSource
    private let gzip: GzipSource?

    /// Element type codes of the IDX format, for naming the unsupported ones.
    private static let typeNames: [UInt8: String] = [
        0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "16-bit integer",
        0x0C: "32-bit integer", 0x0D: "32-bit float", 0x0E: "64-bit float",
    ]

    init(_ path: String) throws {
        self.path = path
        let file = try InputFile(path)
        if file.size == 0 {
            throw DatasetError(.emptyFile, file: path, "file is empty (0 bytes)")
        }
        // Locals, because closures below may not capture a partly initialised self.
        let gzip: GzipSource? = try file.peek(2) == gzipMagic ? GzipSource(file) : nil
        let source: ByteSource = gzip ?? file
        self.file = file
        self.gzip = gzip
        self.source = source
        let compressed = gzip != nil ? " after decompression" : ""

        var magic = [UInt8](repeating: 0, count: 4)
        let got = try magic.withUnsafeMutableBytes { try source.read(into: $0) }
        if got == 0 {
            throw DatasetError(.emptyFile, file: path, "holds no data (0 bytes\(compressed))")
        }
        if got < 4 {
            throw DatasetError(
                .truncated, file: path, at: .byte(got),
                "file ends after \(got) bytes\(compressed), inside the 4-byte magic number")
        }
        guard magic[0] == 0, magic[1] == 0 else {
            let hex = magic.map { hex2($0) }.joined()
            throw DatasetError(
                .badMagic, file: path, at: .byte(0),
                "magic number 0x\(hex) is not an IDX magic number (expected 00 00, a type code and the number of dimensions)")
        }
        guard magic[2] == 0x08 else {
            if let name = Self.typeNames[magic[2]] {
                throw DatasetError(
                    .unsupportedType, file: path, at: .byte(2),
                    "element type 0x\(hex2(magic[2])) (\(name)) is not supported; only 0x08 (unsigned byte) is")
            }
            throw DatasetError(
                .badMagic, file: path, at: .byte(2),
                "type code 0x\(hex2(magic[2])) in the magic number is not an IDX element type")
        }
        let rank = Int(magic[3])
        guard rank > 0 else {
            throw DatasetError(.badHeader, file: path, at: .byte(3), "declares 0 dimensions")
        }

        var dimensionBytes = [UInt8](repeating: 0, count: 4 * rank)
        let gotDimensions = try dimensionBytes.withUnsafeMutableBytes { try source.read(into: $0) }
        if gotDimensions < 4 * rank {
            throw DatasetError(
                .truncated, file: path, at: .byte(4 + gotDimensions),
                "file ends inside the header: \(rank) dimensions need \(4 * rank) bytes after the magic number, but only \(gotDimensions) follow")
        }
        var shape = [Int]()
        for d in 0..<rank {
            let b = dimensionBytes[(4 * d)..<(4 * d + 4)].map { UInt32($0) }
            shape.append(Int(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]))
        }
        self.shape = shape
        headerSize = 4 + 4 * rank

        // Checked multiplication: an overflow would otherwise wrap to a small, plausible size
        // (and on 32-bit platforms 65536×65536 already does).
        var item = 1
        var total = 1
        var overflow = false
        for (d, size) in shape.enumerated() {
            let (t, o) = total.multipliedReportingOverflow(by: size)
            total = t
            overflow = overflow || o
            if d > 0 {
                let (i, o2) = item.multipliedReportingOverflow(by: size)
                item = i
                overflow = overflow || o2
            }
        }
        let declared = IDX.formatShape(shape)
        if overflow {
            throw DatasetError(
                .sizeTooLarge, file: path, at: .byte(4),
                "header declares \(declared) elements, a size that overflows a \(Int.bitWidth)-bit integer")
        }
        if total > IDX.maximumDataSize {
            throw DatasetError(
                .sizeTooLarge, file: path, at: .byte(4),
                "header declares \(declared) = \(total) bytes of data, more than the limit of \(IDX.maximumDataSize) bytes")
        }
        dataSize = total
        itemSize = item

        if gzip != nil {
            let limit = IDX.inflationLimit(compressedSize: file.size)
            if headerSize + total > limit {
                throw DatasetError(
                    .sizeTooLarge, file: path, at: .byte(4),
                    "header declares \(declared) = \(total) bytes of data, but a \(file.size)-byte gzip file cannot inflate to more than about \(limit) bytes")
            }
        } else {
            // Raw files: the length is known, so a header that disagrees with it is caught here.
            let held = file.size - headerSize
            if total > held {
                throw DatasetError(
                    .truncated, file: path, at: .byte(headerSize),
                    "header declares \(declared) = \(total) bytes of data but the file holds only \(held)")
            }
            if total < held {
                throw DatasetError(
                    .trailingData, file: path, at: .byte(headerSize + total),
                    "file holds \(held - total) bytes more than the \(declared) = \(total) bytes its header declares")
            }
        }
    }

    /// The data section in place in the mapped file, for an uncompressed file (whose size the
    /// header was checked against); nil for a gzip file, which must be inflated (`readData`).
    func mappedData() throws -> MappedRegion? {
        guard gzip == nil else { return nil }
        return MappedRegion(file: try MappedFile(file), offset: headerSize, count: dataSize)
    }

    /// Reads the data section into one exactly sized buffer, then makes sure nothing follows it
    /// (for gzip, this also lets zlib verify the final checksum).
    func readData() throws -> [UInt8] {
        let data = try [UInt8](unsafeUninitializedCapacity: dataSize) { buffer, initialized in
            let held = try source.read(into: UnsafeMutableRawBufferPointer(buffer))
            guard held == dataSize else {
                let cut = gzip.map { $0.isCutOff ? " (the gzip stream itself is cut off after \($0.compressedOffset) compressed bytes)" : "" } ?? ""
                throw DatasetError(
                    .truncated, file: path, at: .byte(headerSize + held),
                    "header declares \(IDX.formatShape(shape)) = \(dataSize) bytes of data but holds only \(held)\(cut)")
            }
            initialized = held
        }
        var extra = 0
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try scratch.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            extra += n
        }
        if extra > 0 {
            throw DatasetError(
                .trailingData, file: path, at: .byte(headerSize + dataSize),
                "file holds \(extra) bytes more than the \(IDX.formatShape(shape)) = \(dataSize) bytes its header declares")
        }
        if let gzip, gzip.isCutOff {
            throw DatasetError(
                .truncated, file: path,
                "the gzip stream is cut off after \(gzip.compressedOffset) compressed bytes: the data is complete but the gzip trailer (checksum and length) is missing")
        }
        return data
    }
}

/// Two hexadecimal digits, upper case.
private func hex2(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
}
