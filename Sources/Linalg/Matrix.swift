// Matrix.swift: a dense row-major matrix of Float or Double.
/// A dense row-major matrix of `Scalar` (`Float` or `Double`): `rows × columns`, element (i, j) at `elements[i * columns + j]`.
///
/// The storage is one contiguous array, so BLAS and LAPACK read and write it in place
/// with leading dimension `columns`. It is a value type with copy-on-write storage:
/// mutating a uniquely held matrix never copies.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
    /// Number of rows (for a batch: samples).
    public let rows: Int
    /// Number of columns (for a batch: features).
    public let columns: Int
    /// The `rows * columns` elements, row after row.
    public var elements: [Scalar]

    /// A `rows × columns` matrix with every element `value`.
    public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// A `rows × columns` matrix over `elements` given row after row.
    public init(rows: Int, columns: Int, elements: [Scalar]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        precondition(elements.count == rows * columns,
                     "Matrix: \(elements.count) elements do not fill \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix from nested rows, as NumPy's `np.array([[...], ...])`; all rows must have one length.
    public init(_ nestedRows: [[Scalar]]) {
        let columns = nestedRows.first?.count ?? 0
        for (i, row) in nestedRows.enumerated() {
            precondition(row.count == columns,
                         "Matrix: row \(i) has \(row.count) elements, row 0 has \(columns)")
        }
        self.init(rows: nestedRows.count, columns: columns, elements: nestedRows.flatMap { $0 })
    }

    /// The element in row `i`, column `j`.
    @inlinable
    public subscript(i: Int, j: Int) -> Scalar {
        get { elements[i * columns + j] }
        set { elements[i * columns + j] = newValue }
    }

    /// `(rows, columns)`, for messages and comparisons.
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Scalar] {
        Array(elements[i * columns ..< (i + 1) * columns])
    }

    /// The rows as nested arrays (the JSON and NumPy layout).
    public var nestedRows: [[Scalar]] {
        (0..<rows).map(row)
    }

    /// The transpose, `columns × rows` (a copy).
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for i in 0..<rows {
            for j in 0..<columns {
                t.elements[j * rows + i] = elements[i * columns + j]
            }
        }
        return t
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        "Matrix \(rows)×\(columns) " + nestedRows.description
    }
}

extension Matrix {
    /// The same matrix in precision `Other`, each element converted by rounding to nearest
    /// (exact from `Float` to `Double`).
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> Matrix<Other> {
        Matrix<Other>(rows: rows, columns: columns, elements: elements.map { Other($0) })
    }
}
