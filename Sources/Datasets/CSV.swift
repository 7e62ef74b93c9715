// CSV.swift: numeric CSV files.
/// Numeric CSV files: one sample per line, one column holding the integer class label and every
/// other column a feature.
///
/// Accepted syntax: fields separated by a single ASCII character (comma by default), `\n` or
/// `\r\n` line ends, an optional UTF-8 byte-order mark, spaces and tabs around fields ignored
/// (except the separator itself, when it is a tab or a space),
/// fields optionally in double quotes (`""` for a quote inside; a quoted field cannot span lines).
/// Lines that are empty or only whitespace are skipped. Numbers are anything Swift's
/// `Double(_: String)` parses; NaN and infinities are rejected. Labels must be non-negative
/// integral values (`3`, and also `3.0` or `3e0` as numeric tools often write them).
public enum CSV {
    /// Which column holds the label.
    public enum LabelColumn: Sendable, Equatable {
        /// The column at this index, counted from 0 like Swift indices. (Messages number fields
        /// from 1, like spreadsheets and awk.)
        case index(Int)
        /// The column whose header is exactly this (after trimming and unquoting); needs a header.
        case name(String)
        /// The last column.
        case last
    }

    /// Reads a numeric CSV file into a `Dataset` of `Double` features.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - hasHeader: whether the first non-blank line names the columns.
    ///   - label: the label column; the remaining columns, in file order, are the features.
    ///   - classCount: number of classes; by default the largest label + 1. If given, every label
    ///     must be below it.
    ///   - separator: the field separator, an ASCII character other than `"`, `\r`, `\n`.
    /// - Returns: a data set with `count` = number of data rows and `featureCount` = columns − 1.
    /// - Throws: `DatasetError` naming the file and the line (and field, counted from 1) for: a
    ///   missing or unreadable file; an empty file or one without data rows; a label column not
    ///   found or ambiguous; fewer than 2 columns; a row with a different number of fields; an
    ///   unterminated quote; a field that is not a number; NaN or infinity; a label that is not a
    ///   non-negative integer below `classCount` (or `Dataset.maximumClassCount`).
    public static func loadDataset(
        _ path: String, hasHeader: Bool, label: LabelColumn, classCount: Int? = nil,
        separator: Unicode.Scalar = ","
    ) throws -> Dataset {
        try checkArguments(separator: separator, classCount: classCount, source: path)  // Before reading the file.
        return try parseDataset(
            try readWhole(path), source: path, hasHeader: hasHeader, label: label, classCount: classCount,
            separator: separator)
    }

    /// Parses CSV text held in memory exactly as ``loadDataset(_:hasHeader:label:classCount:separator:)``
    /// parses a file's content; `source` names it in errors.
    public static func parseDataset(
        _ text: [UInt8], source: String, hasHeader: Bool, label: LabelColumn, classCount: Int? = nil,
        separator: Unicode.Scalar = ","
    ) throws -> Dataset {
        try checkArguments(separator: separator, classCount: classCount, source: source)
        let table = try text.withUnsafeBytes { text in
            var parser = try CSVParser(path: source, text: text, separator: separator)
            return try parser.load(hasHeader: hasHeader, label: label, classCount: classCount)
        }
        return try Dataset(
            features: .doubles(table.features), labels: table.labels, featureCount: table.featureCount,
            classCount: classCount ?? table.largestLabel + 1, source: source)
    }

    /// Reads a numeric CSV file of unlabelled samples (for prediction): every column is a feature,
    /// except `dropping`, when given (a label column to ignore; its values need not be labels).
    ///
    /// - Returns: the values row-major, `rows × columns`.
    /// - Throws: `DatasetError` as ``loadDataset(_:hasHeader:label:classCount:separator:)`` does.
    public static func loadFeatures(
        _ path: String, hasHeader: Bool, dropping: LabelColumn? = nil, separator: Unicode.Scalar = ","
    ) throws -> (values: [Double], rows: Int, columns: Int) {
        try checkArguments(separator: separator, classCount: nil, source: path)
        return try parseFeatures(try readWhole(path), source: path, hasHeader: hasHeader, dropping: dropping, separator: separator)
    }

    /// Parses CSV text held in memory exactly as ``loadFeatures(_:hasHeader:dropping:separator:)``
    /// parses a file's content; `source` names it in errors.
    public static func parseFeatures(
        _ text: [UInt8], source: String, hasHeader: Bool, dropping: LabelColumn? = nil, separator: Unicode.Scalar = ","
    ) throws -> (values: [Double], rows: Int, columns: Int) {
        try checkArguments(separator: separator, classCount: nil, source: source)
        let table = try text.withUnsafeBytes { text in
            var parser = try CSVParser(path: source, text: text, separator: separator)
            return try parser.load(hasHeader: hasHeader, label: dropping, classCount: nil, labelsAreClasses: false)
        }
        return (table.features, table.rows, table.featureCount)
    }

    /// The checks on the arguments every entry point takes: a usable separator (a programming
    /// error otherwise) and a class count in range.
    static func checkArguments(separator: Unicode.Scalar, classCount: Int?, source: String) throws {
        precondition(separator.isASCII && !"\"\r\n".unicodeScalars.contains(separator), "separator must be ASCII and not a quote or line end")
        if let classCount, !(1...Dataset.maximumClassCount).contains(classCount) {
            throw DatasetError(
                .invalidArgument, file: source, "class count \(classCount) is outside 1...\(Dataset.maximumClassCount)")
        }
    }

    /// A CSV file is read whole: unlike IDX there is no header declaring its size, and the text is
    /// several times larger than the parsed doubles only for very short numbers.
    private static func readWhole(_ path: String) throws -> [UInt8] {
        let file = try InputFile(path)
        return try [UInt8](unsafeUninitializedCapacity: file.size) { buffer, initialized in
            initialized = try file.read(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }
}

extension CSV {
    /// A header line of `names`, comma-separated, ending in a newline. Names must hold no comma,
    /// quote or newline (the writer's own column names).
    public static func headerLine(_ names: [String]) -> String { names.joined(separator: ",") + "\n" }

    /// `values` (row-major, `columns` a row) as CSV lines, each number as Swift prints it (the
    /// shortest text that reads back to the same value), each line ending in a newline.
    public static func lines<T: BinaryFloatingPoint & LosslessStringConvertible>(_ values: UnsafeBufferPointer<T>, columns: Int) -> String {
        precondition(columns > 0 && values.count % columns == 0, "CSV.lines: \(values.count) values for rows of \(columns)")
        var text = ""
        for start in stride(from: 0, to: values.count, by: columns) {
            text += values[start..<(start + columns)].map { "\($0)" }.joined(separator: ",") + "\n"
        }
        return text
    }
}
