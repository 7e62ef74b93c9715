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
        var parser = try Parser(path: source, text: text, separator: separator)
        let table = try parser.load(hasHeader: hasHeader, label: label, classCount: classCount)
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
        var parser = try Parser(path: source, text: text, separator: separator)
        let table = try parser.load(hasHeader: hasHeader, label: dropping, classCount: nil, labelsAreClasses: false)
        return (table.features, table.rows, table.featureCount)
    }

    /// The checks on the arguments every entry point takes: a usable separator (a programming
    /// error otherwise) and a class count in range.
    private static func checkArguments(separator: Unicode.Scalar, classCount: Int?, source: String) throws {
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

/// The state of one pass over a CSV file.
private struct Parser {
    let path: String
    let text: [UInt8]
    let separator: UInt8
    /// Start of the next line to read.
    var position = 0
    /// Number of the line most recently read, from 1.
    var lineNumber = 0
    /// Content ranges of the fields of the current line, and whether each was quoted.
    var fields: [(range: Range<Int>, quoted: Bool)] = []

    /// A parser over `text`, which must not be empty; `path` names it in errors.
    init(path: String, text: [UInt8], separator: Unicode.Scalar) throws {
        if text.isEmpty {
            throw DatasetError(.emptyFile, file: path, "file is empty (0 bytes)")
        }
        self.path = path
        self.text = text
        self.separator = UInt8(separator.value)
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }  // UTF-8 byte-order mark
    }

    /// The parsed rows: features row-major, and the label column's values when there is one.
    struct Table {
        var features: [Double] = [], labels: [Int] = []
        var featureCount: Int, rows = 0, largestLabel = 0
    }

    /// Reads every row. With `label` nil, all columns are features; with `labelsAreClasses` false,
    /// the label column is dropped without being checked.
    mutating func load(hasHeader: Bool, label: CSV.LabelColumn?, classCount: Int?, labelsAreClasses: Bool = true) throws -> Table {
        guard try nextLine() else {
            throw DatasetError(.emptyFile, file: path, "file holds only blank lines")
        }
        let firstLine = lineNumber
        let width = fields.count
        let labelColumn = try label.map { try resolve($0, hasHeader: hasHeader) } ?? -1
        let needed = label == nil ? 1 : 2
        guard width >= needed else {
            throw DatasetError(
                .wrongFieldCount, file: path, at: .line(firstLine),
                "has \(width) field; a data set needs at least 2 columns (features and a label)")
        }
        let reference = hasHeader ? "the header (line \(firstLine))" : "line \(firstLine)"

        var table = Table(featureCount: width - (label == nil ? 0 : 1))
        var haveRow = !hasHeader  // without a header the first line is already a data row
        while true {
            if !haveRow {
                guard try nextLine() else { break }
            }
            haveRow = false
            guard fields.count == width else {
                throw DatasetError(
                    .wrongFieldCount, file: path, at: .line(lineNumber),
                    "has \(fields.count) field\(fields.count == 1 ? "" : "s"), but \(reference) has \(width)")
            }
            for (k, field) in fields.enumerated() {
                if k == labelColumn && !labelsAreClasses { continue }
                let value = try number(field, index: k, firstDataLine: !hasHeader && lineNumber == firstLine)
                if k != labelColumn {
                    table.features.append(value)
                    continue
                }
                guard value >= 0, value == value.rounded(), value < Double(Dataset.maximumClassCount) else {
                    throw DatasetError(
                        .badLabel, file: path, at: .field(line: lineNumber, field: k + 1),
                        "field \(k + 1) (\(quote(field))) is not a valid label: labels must be integers in 0..<\(classCount ?? Dataset.maximumClassCount)")
                }
                let label = Int(value)
                if let classCount, label >= classCount {
                    throw DatasetError(
                        .badLabel, file: path, at: .field(line: lineNumber, field: k + 1),
                        "field \(k + 1) (\(quote(field))): label \(label) is not below the class count \(classCount)")
                }
                table.largestLabel = max(table.largestLabel, label)
                table.labels.append(label)
            }
            table.rows += 1
        }
        if table.rows == 0 {
            throw DatasetError(.emptyFile, file: path, at: .line(firstLine), "has a header but no data rows")
        }
        return table
    }

    /// The index of the label column, checked against the first line.
    func resolve(_ label: CSV.LabelColumn, hasHeader: Bool) throws -> Int {
        switch label {
        case .last:
            return fields.count - 1
        case .index(let i):
            guard (0..<fields.count).contains(i) else {
                throw DatasetError(
                    .missingColumn, file: path, at: .line(lineNumber),
                    "label column index \(i) is out of range: rows have \(fields.count) fields (indices 0...\(fields.count - 1))")
            }
            return i
        case .name(let name):
            guard hasHeader else {
                throw DatasetError(
                    .missingColumn, file: path, at: .line(lineNumber),
                    "label column \(Excerpt.quoted(name)) is given by name, but the file is read without a header")
            }
            let names = fields.map { string($0) }
            let matches = names.indices.filter { names[$0] == name }
            if matches.isEmpty {
                let listed = names.prefix(20).map { Excerpt.quoted($0) }.joined(separator: ", ")
                throw DatasetError(
                    .missingColumn, file: path, at: .line(lineNumber),
                    "no column named \(Excerpt.quoted(name)); the header has \(listed)\(names.count > 20 ? ", …" : "")")
            }
            guard matches.count == 1 else {
                let positions = matches.map { String($0 + 1) }.joined(separator: ", ")
                throw DatasetError(
                    .missingColumn, file: path, at: .line(lineNumber),
                    "column name \(Excerpt.quoted(name)) is ambiguous: it names fields \(positions)")
            }
            return matches[0]
        }
    }

    /// Parses one field as a finite number, or throws naming the line and field.
    func number(_ field: (range: Range<Int>, quoted: Bool), index k: Int, firstDataLine: Bool) throws -> Double {
        let raw = string(field)
        guard let value = Double(raw) else {
            let what = raw.isEmpty ? "is empty, not a number" : "is not a number"
            let hint = firstDataLine ? " (if line \(lineNumber) is a header, read the file with hasHeader: true)" : ""
            throw DatasetError(
                .notANumber, file: path, at: .field(line: lineNumber, field: k + 1),
                "field \(k + 1) (\(quote(field))) \(what)\(hint)")
        }
        guard value.isFinite else {
            throw DatasetError(
                .nonFiniteValue, file: path, at: .field(line: lineNumber, field: k + 1),
                "field \(k + 1) (\(quote(field))) is not a finite number")
        }
        return value
    }

    /// The text of a field, with a quoted field's `""` turned back into `"`.
    func string(_ field: (range: Range<Int>, quoted: Bool)) -> String {
        guard field.quoted else { return String(decoding: text[field.range], as: UTF8.self) }
        // The splitter only accepts a quote inside a quoted field as the first of a pair.
        var bytes: [UInt8] = []
        var i = field.range.lowerBound
        while i < field.range.upperBound {
            bytes.append(text[i])
            i += text[i] == UInt8(ascii: "\"") ? 2 : 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A field's text for a message, quoted and shortened.
    func quote(_ field: (range: Range<Int>, quoted: Bool)) -> String {
        let s = string(field)
        let shown = s.count > 40 ? String(s.prefix(40)) + "…" : s
        return "\"\(shown)\""
    }

    /// Splits the next non-blank line into `fields`. Returns false at the end of the file.
    mutating func nextLine() throws -> Bool {
        while position < text.count {
            lineNumber += 1
            let start = position
            var end = start
            while end < text.count && text[end] != UInt8(ascii: "\n") { end += 1 }
            position = end + 1
            if end > start && text[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if text[start..<end].allSatisfy(isBlank) { continue }
            try split(start..<end)
            return true
        }
        return false
    }

    private func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    /// White space around a field, which is ignored; never the separator itself, so that with a
    /// tab or space separator "1\t\t2" still has an empty middle field.
    private func isPadding(_ byte: UInt8) -> Bool {
        isBlank(byte) && byte != separator
    }

    private mutating func split(_ line: Range<Int>) throws {
        fields.removeAll(keepingCapacity: true)
        let quoteMark = UInt8(ascii: "\"")
        var i = line.lowerBound
        while true {
            while i < line.upperBound && isPadding(text[i]) { i += 1 }
            if i < line.upperBound && text[i] == quoteMark {
                let contentStart = i + 1
                i = contentStart
                while true {
                    guard i < line.upperBound else {
                        throw DatasetError(
                            .wrongFieldCount, file: path, at: .field(line: lineNumber, field: fields.count + 1),
                            "field \(fields.count + 1) has an unterminated quote (quoted fields cannot span lines)")
                    }
                    if text[i] == quoteMark {
                        if i + 1 < line.upperBound && text[i + 1] == quoteMark { i += 2; continue }
                        break
                    }
                    i += 1
                }
                fields.append((contentStart..<i, true))
                i += 1
                while i < line.upperBound && isPadding(text[i]) { i += 1 }
                if i < line.upperBound && text[i] != separator {
                    throw DatasetError(
                        .wrongFieldCount, file: path, at: .field(line: lineNumber, field: fields.count),
                        "field \(fields.count) has text after its closing quote")
                }
            } else {
                let fieldStart = i
                while i < line.upperBound && text[i] != separator { i += 1 }
                var fieldEnd = i
                while fieldEnd > fieldStart && isPadding(text[fieldEnd - 1]) { fieldEnd -= 1 }
                fields.append((fieldStart..<fieldEnd, false))
            }
            // Here i is at a separator or the end of the line; a separator always starts another
            // field, so "1,2," has three fields, the last one empty.
            guard i < line.upperBound else { return }
            i += 1
        }
    }
}
