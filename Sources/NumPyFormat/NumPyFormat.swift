// NumPyFormat.swift: float64 arrays printed exactly as NumPy 2 prints them.
/// Formats float64 arrays exactly as NumPy 2 prints them (`str(array)` /
/// `print(array)`) with the default print options: precision=8,
/// floatmode='maxprec', suppress=False, sign='-', threshold=1000,
/// edgeitems=3, linewidth=75.
public enum NumPyFormat {
    /// The text `print(np.array(values).reshape(shape))` shows for a float64 array.
    /// `values` are row-major (C order); `shape.reduce(1, *) == values.count`, shape non-empty.
    public static func string(_ values: [Double], shape: [Int]) -> String {
        precondition(!shape.isEmpty, "NumPyFormat.string: shape must have at least one dimension (0-d arrays are not supported)")
        precondition(shape.allSatisfy { $0 >= 0 }, "NumPyFormat.string: negative dimension in shape \(shape)")
        precondition(
            shape.reduce(1, *) == values.count,
            "NumPyFormat.string: shape \(shape) holds \(shape.reduce(1, *)) values but \(values.count) were given")
        return ArrayLayout(values: values, shape: shape).render()
    }

    /// 1-D convenience: `string(values, shape: [values.count])`.
    public static func string(_ values: [Double]) -> String {
        string(values, shape: [values.count])
    }
}

/// Port of `_array2string`, `_leading_trailing` and `_formatArray` from
/// numpy/_core/arrayprint.py (non-legacy mode, separator " ", no prefix).
struct ArrayLayout {
    /// Arrays with more elements than this are summarised with "...".
    static let threshold = 1000
    /// Items kept at each end of a summarised axis.
    static let edgeItems = 3
    static let lineWidth = 75
    static let separator = " "

    let values: [Double]
    let shape: [Int]
    /// Row-major strides, in elements.
    let strides: [Int]
    let summarise: Bool

    init(values: [Double], shape: [Int]) {
        self.values = values
        self.shape = shape
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            strides[axis] = strides[axis + 1] * shape[axis + 1]
        }
        self.strides = strides
        self.summarise = values.count > Self.threshold
    }

    func render() -> String {
        // `array2string` treats any empty array as "[]", whatever its shape.
        if values.isEmpty { return "[]" }
        // Only the values that will be shown decide the number format.
        let format = FloatingFormat(summarise ? cornerValues() : values)
        // The "[" is skipped over on continuation lines.
        return recurse(axis: 0, offset: 0, hangingIndent: " ", currentWidth: Self.lineWidth, format: format)
    }

    /// Axis-by-axis: is this axis shortened to its leading and trailing items?
    private func isSummarised(axis: Int) -> Bool {
        summarise && 2 * Self.edgeItems < shape[axis]
    }

    /// `_leading_trailing`: the values at the corners a summarised array shows.
    private func cornerValues() -> [Double] {
        var result: [Double] = []
        func collect(axis: Int, offset: Int) {
            if axis == shape.count {
                result.append(values[offset])
                return
            }
            let length = shape[axis]
            let indices: [Int] = isSummarised(axis: axis)
                ? Array(0..<Self.edgeItems) + Array((length - Self.edgeItems)..<length)
                : Array(0..<length)
            for i in indices {
                collect(axis: axis + 1, offset: offset + i * strides[axis])
            }
        }
        collect(axis: 0, offset: 0)
        return result
    }

    /// `_formatArray.recurser`: the text of the sub-array starting at `offset`
    /// along `axis`, with `hangingIndent` at the start of every line but the
    /// first and at most `currentWidth` columns.
    private func recurse(axis: Int, offset: Int, hangingIndent: String, currentWidth: Int,
                         format: FloatingFormat) -> String {
        if axis == shape.count {
            return format.format(values[offset])
        }
        // Nested rows start one column further right, after their own "[",
        // and must leave one column for their own "]".
        let nextHangingIndent = hangingIndent + " "
        let nextWidth = currentWidth - 1
        let length = shape[axis]
        let showSummary = isSummarised(axis: axis)
        let leadingItems = showSummary ? Self.edgeItems : 0
        // Items counted from the end; without summary this is the whole axis.
        let trailingItems = showSummary ? Self.edgeItems : length
        let axesLeft = shape.count - axis

        func item(_ index: Int) -> String {
            recurse(axis: axis + 1, offset: offset + index * strides[axis],
                    hangingIndent: nextHangingIndent, currentWidth: nextWidth, format: format)
        }

        var s = ""
        if axesLeft == 1 {
            // Innermost axis: elements separated by spaces, wrapped to fit.
            // Leave room for the separator or the closing "]".
            let elementWidth = currentWidth - max(Self.separator.trimmingTrailingSpaces().utf8.count, 1)
            var line = hangingIndent
            for i in 0..<leadingItems {
                extendLine(&s, &line, word: item(i), width: elementWidth, nextLinePrefix: hangingIndent)
                line += Self.separator
            }
            if showSummary {
                extendLine(&s, &line, word: "...", width: elementWidth, nextLinePrefix: hangingIndent)
                line += Self.separator
            }
            for i in stride(from: trailingItems, to: 1, by: -1) {
                extendLine(&s, &line, word: item(length - i), width: elementWidth, nextLinePrefix: hangingIndent)
                line += Self.separator
            }
            extendLine(&s, &line, word: item(length - 1), width: elementWidth, nextLinePrefix: hangingIndent)
            s += line
        } else {
            // Outer axes: one sub-array per line, plus a blank line per extra
            // dimension below (so 3-D blocks are separated by an empty line).
            let lineSeparator = Self.separator.trimmingTrailingSpaces()
                + String(repeating: "\n", count: axesLeft - 1)
            for i in 0..<leadingItems {
                s += hangingIndent + item(i) + lineSeparator
            }
            if showSummary {
                s += hangingIndent + "..." + lineSeparator
            }
            for i in stride(from: trailingItems, to: 1, by: -1) {
                s += hangingIndent + item(length - i) + lineSeparator
            }
            s += hangingIndent + item(length - 1)
        }
        // Replace the hanging indent of the first line by the bracket.
        return "[" + String(decoding: s.utf8.dropFirst(hangingIndent.utf8.count), as: UTF8.self) + "]"
    }

    /// `_extendLine` (words are always single-line here, so `_extendLine_pretty`
    /// reduces to it): start a new line when `word` would not fit, unless the
    /// line holds nothing but the prefix, since wrapping would not help then.
    private func extendLine(_ s: inout String, _ line: inout String, word: String, width: Int,
                            nextLinePrefix: String) {
        let lineLength = line.utf8.count
        let needsWrap = lineLength + word.utf8.count > width && lineLength > nextLinePrefix.utf8.count
        if needsWrap {
            s += line.trimmingTrailingSpaces() + "\n"
            line = nextLinePrefix
        }
        line += word
    }
}

extension String {
    /// Python's `rstrip()` for the only whitespace that occurs here.
    fileprivate func trimmingTrailingSpaces() -> String {
        var bytes = Array(utf8)
        while bytes.last == UInt8(ascii: " ") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
