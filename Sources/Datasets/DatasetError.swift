// DatasetError.swift: every problem a reader or a `Dataset` initialiser finds.
/// Every problem a reader or a `Dataset` initialiser finds: which file, where, and what is wrong.
///
/// The `description` is meant to be shown to a person as is, in the style of compiler diagnostics:
///
///     train.csv:14: field 3 ("abc") is not a number
///     train-images-idx3-ubyte.gz: byte 16: header declares 47040000 bytes of data but the file holds only 1000
///
/// `kind` and `position` are there for programs that want to react to a particular problem
/// without parsing the text.
public struct DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, coarsely.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// The file does not exist (or a path component is not a directory).
        case fileNotFound
        /// The file exists but cannot be opened or read (permissions, a directory, an I/O error).
        case unreadable
        /// The file holds no data at all (0 bytes, only blank lines, or only a CSV header).
        case emptyFile
        /// The first four bytes are not an IDX magic number.
        case badMagic
        /// The IDX element type is not unsigned byte (0x08).
        case unsupportedType
        /// The header is malformed in some other way (no dimensions, a zero dimension, wrong rank).
        case badHeader
        /// The header declares a size that overflows, exceeds `IDX.maximumDataSize`, or cannot
        /// possibly fit in the file (raw) or be produced by it (gzip).
        case sizeTooLarge
        /// The file ends before the data its header declares.
        case truncated
        /// The file holds more data than its header declares, or garbage after the gzip stream.
        case trailingData
        /// zlib rejected the compressed stream (bad header, bad block, checksum mismatch).
        case corruptCompression
        /// Two files that must agree do not (e.g. number of labels and number of images).
        case countMismatch
        /// A CSV row has a different number of fields than the first row, or a quoting error.
        case wrongFieldCount
        /// A CSV field is not a number.
        case notANumber
        /// A value is NaN or infinite.
        case nonFiniteValue
        /// A label is negative, fractional, or not below the class count.
        case badLabel
        /// The CSV label column (by name or index) does not exist or is ambiguous.
        case missingColumn
        /// Arguments that do not describe a valid data set (sizes that disagree, class count out of range).
        case invalidArgument
        /// A named data set (e.g. Fashion-MNIST) is not installed where it was looked for.
        case datasetNotFound
    }

    /// Where in the file the problem is.
    public enum Position: Sendable, Equatable {
        /// The file as a whole.
        case file
        /// A byte offset into the file's content. For gzip files this is an offset into the
        /// *decompressed* content (the IDX header starts at byte 0 either way), unless the
        /// message says it is a compressed offset.
        case byte(Int)
        /// A line, counted from 1.
        case line(Int)
        /// A field of a line, both counted from 1 (as in spreadsheets and awk).
        case field(line: Int, field: Int)
        /// A sample (row) of a data set, counted from 0 like Swift indices.
        case sample(Int)
    }

    /// What kind of problem it is.
    public let kind: Kind
    /// The file (or, for in-memory data sets, the `Dataset.source`) the problem was found in.
    public let file: String
    /// Where in the file.
    public let position: Position
    /// What is wrong, in words, without the file name (which `description` adds).
    public let message: String

    /// A problem of `kind` in `file` at `position`, described by `message`.
    public init(_ kind: Kind, file: String, at position: Position = .file, _ message: String) {
        self.kind = kind
        self.file = file
        self.position = position
        self.message = message
    }

    public var description: String {
        switch position {
        case .file: return "\(file): \(message)"
        case .byte(let offset): return "\(file): byte \(offset): \(message)"
        // CSV messages name the field themselves ("field 3 (\"abc\") is not a number"),
        // so only the line goes in front, the way compilers print file:line.
        case .line(let line), .field(let line, _): return "\(file):\(line): \(message)"
        case .sample(let index): return "\(file): sample \(index): \(message)"
        }
    }
}
