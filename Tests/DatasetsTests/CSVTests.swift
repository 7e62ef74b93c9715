// CSVTests.swift: the CSV reader on good and bad files.
import Testing

import Datasets

@Suite("CSV reader")
struct CSVTests {
    @Test func headerAndLabelByName() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("iris.csv", text: """
            length,"class",width
            1.5,2,-3
            4e1, 0 ,0.25

            6,1,7\r

            """)
        let data = try CSV.loadDataset(path, hasHeader: true, label: .name("class"))
        #expect(data.count == 3)
        #expect(data.featureCount == 2)
        #expect(data.classCount == 3)
        #expect(data.labels == [2, 0, 1])
        #expect(data.features == .doubles([1.5, -3, 40, 0.25, 6, 7]))
        #expect(data.source == path)
    }

    @Test func noHeaderLabelByIndexOrLast() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("plain.csv", text: "3,0.5,1\n1,-0.5,0\n")
        let first = try CSV.loadDataset(path, hasHeader: false, label: .index(0), classCount: 5)
        #expect(first.labels == [3, 1])
        #expect(first.features == .doubles([0.5, 1, -0.5, 0]))
        #expect(first.classCount == 5)

        let last = try CSV.loadDataset(path, hasHeader: false, label: .last)
        #expect(last.labels == [1, 0])
        #expect(last.features == .doubles([3, 0.5, 1, -0.5]))
        #expect(last.classCount == 2)
    }

    @Test func unlabelledFeaturesForPrediction() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("x.csv", text: "a,b,label\n1,2,x9\n3,4.5,7\n")
        let all = try CSV.loadFeatures(try dir.write("y.csv", text: "1,2\n3,4\n5,6\n"), hasHeader: false)
        #expect(all.rows == 3 && all.columns == 2 && all.values == [1, 2, 3, 4, 5, 6])
        // Dropping a label column does not read it: "x9" is not a number, and no error arises.
        let dropped = try CSV.loadFeatures(path, hasHeader: true, dropping: .name("label"))
        #expect(dropped.rows == 2 && dropped.columns == 2 && dropped.values == [1, 2, 3, 4.5])
        let error = try datasetError { try CSV.loadFeatures(path, hasHeader: true) }
        #expect(error.description.contains("x.csv:2"))
    }

    @Test func quotedFieldsAndOtherSeparators() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("quoted.csv", text: "\u{FEFF}\"a;\"\"b\";label\n\"2\";1\n")
        let data = try CSV.loadDataset(path, hasHeader: true, label: .name("label"), separator: ";")
        #expect(data.features == .doubles([2]))
        #expect(data.labels == [1])
        // The quoted header field a;"b is one column (the separator inside quotes does not split).
        let named = try CSV.loadDataset(path, hasHeader: true, label: .name("a;\"b"), separator: ";")
        #expect(named.labels == [2])
        #expect(named.features == .doubles([1]))
    }

    /// Found while writing the CSV fuzz target: with a tab (or space) separator, the white space
    /// trimmed around fields swallowed separators, so "1\t\t2" read as two fields, not three.
    @Test func tabOrSpaceSeparatorKeepsEmptyFields() throws {
        let tabs = Array("a\tb\tlabel\n1\t\t0\n".utf8)
        let error = try datasetError {
            try CSV.parseDataset(tabs, source: "t.tsv", hasHeader: true, label: .last, separator: "\t")
        }
        #expect(error.kind == .notANumber)  // the empty field 2, not a short row
        let spaced = try CSV.parseFeatures(Array("1 2\n3 4\n".utf8), source: "s.txt", hasHeader: false, separator: " ")
        #expect(spaced.values == [1, 2, 3, 4] && spaced.columns == 2)
        let doubled = try datasetError {
            try CSV.parseFeatures(Array("1  2\n".utf8), source: "s.txt", hasHeader: false, separator: " ")
        }
        #expect(doubled.kind == .notANumber)  // "1", "", "2": every separator starts a field
        let padded = try CSV.parseDataset(Array("1 ,\t2\t, 0\n".utf8), source: "p.csv", hasHeader: false, label: .last)
        #expect(padded.features == .doubles([1, 2]))  // with a comma, tabs and spaces are still padding
    }

    /// The in-memory entry points read exactly what the file readers read.
    @Test func parseMatchesLoad() throws {
        let dir = try TemporaryDirectory()
        let text = "x;label;y\n1;0;2\n3;1;4\n"
        let path = try dir.write("m.csv", text: text)
        let fromFile = try CSV.loadDataset(path, hasHeader: true, label: .name("label"), separator: ";")
        let fromBytes = try CSV.parseDataset(Array(text.utf8), source: path, hasHeader: true, label: .name("label"), separator: ";")
        #expect(fromFile == fromBytes && fromFile.count == 2)
        let features = try CSV.parseFeatures(Array(text.utf8), source: path, hasHeader: true, dropping: .index(1), separator: ";")
        #expect(features.values == [1, 2, 3, 4] && features.rows == 2 && features.columns == 2)
    }

    @Test func wrongFieldCount() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("ragged.csv", text: "a,b,label\n1,2,0\n3,1\n")
        let error = try datasetError { try CSV.loadDataset(path, hasHeader: true, label: .last) }
        #expect(error.kind == .wrongFieldCount)
        #expect(error.position == .line(3))
        #expect(error.description == "\(path):3: has 2 fields, but the header (line 1) has 3")
    }

    @Test func fieldThatIsNotANumber() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("train.csv", text: "a,b,c,label\n1,2,3,0\n4,5,abc,1\n")
        let error = try datasetError { try CSV.loadDataset(path, hasHeader: true, label: .last) }
        #expect(error.kind == .notANumber)
        #expect(error.position == .field(line: 3, field: 3))
        #expect(error.description == "\(path):3: field 3 (\"abc\") is not a number")

        let empty = try dir.write("empty-field.csv", text: "1,,0\n")
        let emptyError = try datasetError { try CSV.loadDataset(empty, hasHeader: false, label: .last) }
        #expect(emptyError.position == .field(line: 1, field: 2))
        #expect(emptyError.kind == .notANumber)
    }

    @Test func nanAndInfinity() throws {
        let dir = try TemporaryDirectory()
        let nan = try dir.write("nan.csv", text: "1,2,0\n3,NaN,1\n")
        let nanError = try datasetError { try CSV.loadDataset(nan, hasHeader: false, label: .last) }
        #expect(nanError.kind == .nonFiniteValue)
        #expect(nanError.position == .field(line: 2, field: 2))
        #expect(nanError.description.hasPrefix("\(nan):2: field 2"))

        let inf = try dir.write("inf.csv", text: "1,2,0\n-inf,4,1\n")
        let infError = try datasetError { try CSV.loadDataset(inf, hasHeader: false, label: .last) }
        #expect(infError.kind == .nonFiniteValue)
        #expect(infError.position == .field(line: 2, field: 1))

        // Finite text that overflows Double is infinite too.
        let overflow = try dir.write("big.csv", text: "1e999,0\n")
        #expect(try datasetError { try CSV.loadDataset(overflow, hasHeader: false, label: .last) }.kind == .nonFiniteValue)
    }

    @Test func badLabels() throws {
        let dir = try TemporaryDirectory()
        for (text, field) in [("1,-1\n", 2), ("1,0.5\n", 2), ("1,0\n2,7\n", 2)] {
            let path = try dir.write("labels.csv", text: text)
            let error = try datasetError { try CSV.loadDataset(path, hasHeader: false, label: .last, classCount: 5) }
            #expect(error.kind == .badLabel, "\(text)")
            #expect(error.position == .field(line: text.split(separator: "\n").count, field: field), "\(text)")
        }
    }

    @Test func labelColumnNotFound() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("named.csv", text: "x,y,target\n1,2,0\n")
        let error = try datasetError { try CSV.loadDataset(path, hasHeader: true, label: .name("label")) }
        #expect(error.kind == .missingColumn)
        #expect(error.position == .line(1))
        #expect(error.description.hasPrefix("\(path):1: no column named \"label\""))
        #expect(error.message.contains("\"target\""))

        let noHeader = try datasetError { try CSV.loadDataset(path, hasHeader: false, label: .name("target")) }
        #expect(noHeader.kind == .missingColumn)

        let outOfRange = try datasetError { try CSV.loadDataset(path, hasHeader: true, label: .index(3)) }
        #expect(outOfRange.kind == .missingColumn)

        let ambiguous = try dir.write("twice.csv", text: "a,a,b\n1,2,3\n")
        #expect(try datasetError { try CSV.loadDataset(ambiguous, hasHeader: true, label: .name("a")) }.kind == .missingColumn)
    }

    @Test func unterminatedQuote() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("quote.csv", text: "1,\"2,0\n")
        let error = try datasetError { try CSV.loadDataset(path, hasHeader: false, label: .last) }
        #expect(error.kind == .wrongFieldCount)
        #expect(error.position == .field(line: 1, field: 2))
    }

    @Test func missingAndEmptyFiles() throws {
        let dir = try TemporaryDirectory()
        let missing = dir.path + "/absent.csv"
        let notFound = try datasetError { try CSV.loadDataset(missing, hasHeader: true, label: .last) }
        #expect(notFound.kind == .fileNotFound)
        #expect(notFound.description.hasPrefix(missing))

        let empty = try dir.write("empty.csv", [])
        let emptyError = try datasetError { try CSV.loadDataset(empty, hasHeader: true, label: .last) }
        #expect(emptyError.kind == .emptyFile)
        #expect(emptyError.description.hasPrefix(empty))

        let blank = try dir.write("blank.csv", text: "\n  \n\r\n")
        #expect(try datasetError { try CSV.loadDataset(blank, hasHeader: false, label: .last) }.kind == .emptyFile)

        let headerOnly = try dir.write("header.csv", text: "a,label\n")
        let headerError = try datasetError { try CSV.loadDataset(headerOnly, hasHeader: true, label: .last) }
        #expect(headerError.kind == .emptyFile)
        #expect(headerError.position == .line(1))
    }

    @Test func singleColumnIsRejected() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("one.csv", text: "0\n1\n")
        #expect(try datasetError { try CSV.loadDataset(path, hasHeader: false, label: .last) }.kind == .wrongFieldCount)
    }

    /// What the writer writes, the reader reads back bit for bit: extremes, subnormals, −0 and
    /// values that need 17 digits, in float64 and float32.
    @Test func writtenLinesReadBackExactly() throws {
        let dir = try TemporaryDirectory()
        let doubles: [Double] = [0.1, -0.0, 1e-310, .greatestFiniteMagnitude, 1 / 3, -2.5, 123456789.123456789, .leastNormalMagnitude]
        let text = CSV.headerLine(["a", "b"]) + doubles.withUnsafeBufferPointer { CSV.lines($0, columns: 2) }
        let read = try CSV.loadFeatures(try dir.write("d.csv", text: text), hasHeader: true)
        #expect(read.rows == 4 && read.columns == 2)
        #expect(read.values.map(\.bitPattern) == doubles.map(\.bitPattern))
        let floats: [Float] = [0.1, 1e-40, .greatestFiniteMagnitude, 1 / 3]
        let floatText = floats.withUnsafeBufferPointer { CSV.lines($0, columns: 4) }
        let readFloats = try CSV.loadFeatures(try dir.write("f.csv", text: floatText), hasHeader: false)
        #expect(readFloats.values.map { Float($0) } == floats)
    }
}
