// CSVParser.swift: one pass over a CSV file's text, line by line: fields split, checked and parsed (CSV's readers and the block reader share it).
/// The state of one pass over a CSV file's text: ``start(hasHeader:label:)`` reads the first line
/// (the header, or the first data row), then each ``nextRecord()`` moves to the next data row,
/// checked to have the first line's width. `text` must stay valid while the parser is used (an
/// array's bytes inside `withUnsafeBytes`, or a mapped file the caller keeps).
struct CSVParser {
    let path: String
    let text: UnsafeRawBufferPointer
    let separator: UInt8
    /// Start of the next line to read.
    var position = 0
    /// Number of the line most recently read, from 1.
    var lineNumber = 0
    /// Content ranges of the fields of the current line, and whether each was quoted.
    var fields: [(range: Range<Int>, quoted: Bool)] = []
    /// Set by `start`: the first non-blank line's number and field count, the label column (−1 for
    /// none), whether the file has a header, and whether the first line is a data row not yet returned.
    private(set) var firstLine = 0, width = 0, labelColumn = -1
    private var hasHeader = false, pendingFirstRow = false

    /// A parser over `text`, which must not be empty; `path` names it in errors.
    init(path: String, text: UnsafeRawBufferPointer, separator: Unicode.Scalar) throws {
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

    /// Features per data row: every column, less the label column when there is one.
    var featureCount: Int { width - (labelColumn >= 0 ? 1 : 0) }

    /// Reads the first non-blank line: the header when `hasHeader`, else the first data row (which
    /// the first `nextRecord()` then returns); resolves `label` against it.
    /// - Throws: `DatasetError` for a file of blank lines, a label column not found, or too few columns.
    mutating func start(hasHeader: Bool, label: CSV.LabelColumn?) throws {
        guard try nextLine() else {
            throw DatasetError(.emptyFile, file: path, "file holds only blank lines")
        }
        firstLine = lineNumber
        width = fields.count
        labelColumn = try label.map { try resolve($0, hasHeader: hasHeader) } ?? -1
        let needed = label == nil ? 1 : 2
        guard width >= needed else {
            throw DatasetError(
                .wrongFieldCount, file: path, at: .line(firstLine),
                "has \(width) field; a data set needs at least 2 columns (features and a label)")
        }
        self.hasHeader = hasHeader
        pendingFirstRow = !hasHeader  // without a header the first line is already a data row
    }

    /// Moves to the next data row (its fields in `fields`); false at the end of the file.
    /// - Throws: `DatasetError` naming the line when its field count differs from the first line's.
    mutating func nextRecord() throws -> Bool {
        if pendingFirstRow {
            pendingFirstRow = false
        } else {
            guard try nextLine() else { return false }
        }
        guard fields.count == width else {
            let reference = hasHeader ? "the header (line \(firstLine))" : "line \(firstLine)"
            throw DatasetError(
                .wrongFieldCount, file: path, at: .line(lineNumber),
                "has \(fields.count) field\(fields.count == 1 ? "" : "s"), but \(reference) has \(width)")
        }
        return true
    }

    /// Parses the current row's features (every field but the label column, unchecked) into
    /// `out[0..<featureCount]`.
    /// - Throws: `DatasetError` naming the line and field of one that is not a finite number.
    func features(into out: UnsafeMutablePointer<Double>) throws {
        var n = 0
        for k in fields.indices where k != labelColumn {
            out[n] = try number(fields[k], index: k, firstDataLine: !hasHeader && lineNumber == firstLine)
            n += 1
        }
    }

    /// Reads every row. With `label` nil, all columns are features; with `labelsAreClasses` false,
    /// the label column is dropped without being checked.
    mutating func load(hasHeader: Bool, label: CSV.LabelColumn?, classCount: Int?, labelsAreClasses: Bool = true) throws -> Table {
        try start(hasHeader: hasHeader, label: label)
        var table = Table(featureCount: featureCount)
        while try nextRecord() {
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

    /// The number of non-blank lines in the whole text (those `nextLine` does not skip), found
    /// without splitting them; calls `progress` with the position reached every 8 MiB or so.
    func countNonBlankLines(progress: (Int) -> Void) -> Int {
        var count = 0, start = text.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0, reported = 0
        while start < text.count {
            var end = start, blank = true
            while end < text.count && text[end] != UInt8(ascii: "\n") {
                if blank && !isBlank(text[end]) { blank = false }
                end += 1
            }
            if !blank { count += 1 }
            start = end + 1
            if start - reported >= 8 << 20 { reported = start; progress(start) }
        }
        return count
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
