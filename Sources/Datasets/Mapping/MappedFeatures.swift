// MappedFeatures.swift: features read in place from a mapped file.
import Kernels

/// Features read in place from a mapped file: `storedRows × featureCount` elements of one NumPy
/// element type (IDX images are `uint8`), row-major, in the file's byte order. Row `i` of the data
/// set is stored row `rows[i]` (all stored rows in order when `rows` is nil), so a subset is a view.
///
/// Rows are converted as they are read, a batch at a time; reading reports to the mapping, which
/// drops its pages behind the reader (see `MappedFile`), so memory holds about a batch of the file.
public struct MappedFeatures: Sendable {
    let region: MappedRegion
    let dtype: NPYHeader.DType
    let bigEndian: Bool
    /// Features per row.
    @usableFromInline let featureCount: Int
    /// The stored rows this data set's rows are, in order; nil for all of them in order.
    private(set) var rows: [Int]?
    /// Rows in the file.
    private let storedRows: Int

    /// Features of `rows × featureCount` elements of `dtype` filling `region`.
    /// - Precondition: `region.count == rows × featureCount × dtype.size`.
    init(region: MappedRegion, dtype: NPYHeader.DType, bigEndian: Bool, rows: Int, featureCount: Int) {
        precondition(region.count == rows * featureCount * dtype.size, "\(region.count) bytes are not \(rows) × \(featureCount) \(dtype.name)")
        self.region = region
        self.dtype = dtype
        self.bigEndian = bigEndian
        self.storedRows = rows
        self.featureCount = featureCount
        self.rows = nil
    }

    /// Number of rows.
    public var rowCount: Int { rows?.count ?? storedRows }
    /// NumPy's name for the stored element type (`float32`, `uint8`, ...).
    public var dtypeName: String { dtype.name }
    /// The mapped file's path.
    public var path: String { region.file.path }
    /// Whether the elements are bytes (`uint8`, or `bool` read as 0 and 1), scaled as bytes are.
    var holdsBytes: Bool { dtype == .unsigned(bytes: 1) || dtype == .bool }

    /// The rows `indices` of this one, in that order: a view of the same mapping.
    /// - Precondition: every index is in `0..<rowCount`.
    func view(_ indices: [Int]) -> MappedFeatures {
        let stored = indices.map { i in
            precondition(i >= 0 && i < rowCount, "subset index \(i) out of range 0..<\(rowCount)")
            return rows?[i] ?? i
        }
        var view = self
        view.rows = stored
        return view
    }

    /// Where row `i`'s first element is stored. Reports the row's bytes as read to the mapping,
    /// `scattered` when gathered in shuffled order rather than read in a pass in order.
    @usableFromInline
    func start(ofRow i: Int, scattered: Bool) -> UnsafeRawPointer {
        let rowBytes = featureCount * dtype.size
        region.file.didRead(rowBytes, scattered: scattered)
        return region.file.bytes.baseAddress! + region.offset + (rows?[i] ?? i) * rowBytes
    }

    /// Feature `j` of row `i`, unscaled.
    func value(row i: Int, _ j: Int) -> Double {
        dtype.value(at: region.file.bytes.baseAddress! + region.offset + ((rows?[i] ?? i) * featureCount + j) * dtype.size,
                    bigEndian: bigEndian)
    }

    /// How ``copyRow(_:offset:scale:into:inOrder:)`` converts a row stored at `p`: the element types
    /// it converts in the caller's precision, and the rest, element by element through `Double`.
    @usableFromInline
    enum RowLayout {
        /// `uint8`, through `Kernel.scale`.
        case bytes
        /// Aligned float64 in this machine's byte order, through `Kernel.scale`.
        case doubles
        /// float32, its bytes swapped when stored in the other byte order.
        case float32(swapped: Bool)
        /// Any other element type, or float64 unaligned or in the other byte order.
        case other
    }

    /// The layout of the row stored at `p`.
    @usableFromInline
    func layout(at p: UnsafeRawPointer) -> RowLayout {
        let native = bigEndian == (1.bigEndian == 1)
        switch dtype {
        case .unsigned(bytes: 1): return .bytes
        case .float(bytes: 8) where native && Int(bitPattern: p) % MemoryLayout<Double>.alignment == 0: return .doubles
        case .float(bytes: 4): return .float32(swapped: !native)
        default: return .other
        }
    }

    /// Element `j` of the row stored at `p`, unscaled.
    @usableFromInline
    func value(at p: UnsafeRawPointer, _ j: Int) -> Double {
        dtype.value(at: p + j * dtype.size, bigEndian: bigEndian)
    }

    /// Writes row `i` scaled, `(x − offset[j]) · scale[j]` computed in `Double` and rounded once to
    /// `T` (as `Kernel.scale` does for bytes and doubles), to `out[0..<featureCount]`. Allocates
    /// nothing. `inOrder`: the row is part of a pass over the rows in order, not gathered in
    /// shuffled order (it tells the mapping what the read may have mapped). Inlinable, so that it is
    /// specialised for the caller's precision wherever `Dataset.copyFeatures` is.
    /// - Precondition: `i` in `0..<rowCount`; `offset` and `scale` hold `featureCount` values.
    @inlinable
    func copyRow<T: KernelScalar>(_ i: Int, offset: UnsafeBufferPointer<Double>, scale: UnsafeBufferPointer<Double>,
                                  into out: UnsafeMutablePointer<T>, inOrder: Bool = false) {
        let f = featureCount, p = start(ofRow: i, scattered: !inOrder)
        let output = UnsafeMutableBufferPointer(start: out, count: f)
        switch layout(at: p) {
        case .bytes:
            Kernel.scale(bytes: UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: f),
                         offset: offset, scale: scale, into: output)
        case .doubles:
            Kernel.scale(doubles: UnsafeBufferPointer(start: p.assumingMemoryBound(to: Double.self), count: f),
                         offset: offset, scale: scale, into: output)
        case .float32(let swapped):
            for j in 0..<f {
                let bits = p.loadUnaligned(fromByteOffset: 4 * j, as: UInt32.self)
                let x = Double(Float(bitPattern: swapped ? bits.byteSwapped : bits))
                out[j] = T((x - offset[j]) * scale[j])
            }
        case .other:
            for j in 0..<f { out[j] = T((value(at: p, j) - offset[j]) * scale[j]) }
        }
    }
}
