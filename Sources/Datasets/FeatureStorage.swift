// FeatureStorage.swift: where features live: bytes, doubles, or a mapped file read a batch at a time.
/// Where features live: bytes (IDX images read whole, kept as `UInt8`), doubles (CSV), or in
/// place in a mapped file (`.npy`, stored `.npz` members, uncompressed IDX).
///
/// Images stay bytes in memory — an eighth of the size of `Double`s — and mapped features stay in
/// their file; either is converted a batch at a time by `Dataset.copyFeatures(rows:scaler:into:)`,
/// so a training loop never holds a `Double` copy of the whole set.
///
/// Two storages are equal when they hold the same values as the same kind, bytes (`.bytes`, a
/// mapped `uint8` or `bool`) or numbers (everything else), wherever those values are stored.
public enum FeatureStorage: Sendable, Equatable {
    /// Raw bytes (0…255), row-major, as IDX files store images.
    case bytes([UInt8])
    /// Finite doubles, row-major, as read from CSV or built in memory.
    case doubles([Double])
    /// Values of a file, read in place.
    case mapped(MappedFeatures)

    /// Number of stored values (samples × features).
    public var count: Int {
        switch self {
        case .bytes(let values): return values.count
        case .doubles(let values): return values.count
        case .mapped(let mapped): return mapped.rowCount * mapped.featureCount
        }
    }

    /// Whether the values are bytes (0…255), which `FeatureScaler`'s unit range maps by the type's range.
    public var holdsBytes: Bool {
        switch self {
        case .bytes: return true
        case .doubles: return false
        case .mapped(let mapped): return mapped.holdsBytes
        }
    }

    /// Value `k` in row-major order, for rows of `featureCount` values, unscaled.
    /// - Precondition: `k` in `0..<count`.
    func value(at k: Int, featureCount: Int) -> Double {
        switch self {
        case .bytes(let values): return Double(values[k])
        case .doubles(let values): return values[k]
        case .mapped(let mapped): return mapped.value(row: k / featureCount, k % featureCount)
        }
    }

    /// Calls `body` with each row in order, `featureCount` unscaled values as doubles (one scratch
    /// row, reused: `body` must not keep it). Mapped rows are read once each, in a pass the
    /// mapping is told is in order, and its pages are dropped behind the pass.
    /// - Precondition: `count` is a multiple of `featureCount`.
    func forEachRow(featureCount f: Int, _ body: (Int, UnsafeBufferPointer<Double>) throws -> Void) rethrows {
        let rows = count / f
        let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: f)
        defer { row.deallocate() }
        switch self {
        case .bytes(let values):
            for i in 0..<rows {
                for j in 0..<f { row[j] = Double(values[i * f + j]) }
                try body(i, UnsafeBufferPointer(row))
            }
        case .doubles(let values):
            try values.withUnsafeBufferPointer { values in
                for i in 0..<rows { try body(i, UnsafeBufferPointer(rebasing: values[(i * f)..<((i + 1) * f)])) }
            }
        case .mapped(let mapped):
            // (x − 0) · 1 is x exactly, NaN, ±∞ and −0 included.
            let zeros = [Double](repeating: 0, count: f), ones = [Double](repeating: 1, count: f)
            try zeros.withUnsafeBufferPointer { zeros in
                try ones.withUnsafeBufferPointer { ones in
                    try mapped.region.file.inOrder {
                        for i in 0..<rows {
                            mapped.copyRow(i, offset: zeros, scale: ones, into: row.baseAddress!, inOrder: true)
                            try body(i, UnsafeBufferPointer(row))
                        }
                    }
                }
            }
        }
    }

    /// The same values as the same kind (bytes or numbers), in row-major order, wherever they are
    /// stored; a mapped storage is read value by value (for tests and checks, not for training).
    public static func == (a: FeatureStorage, b: FeatureStorage) -> Bool {
        switch (a, b) {
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.doubles(let x), .doubles(let y)): return x == y
        default:
            guard a.holdsBytes == b.holdsBytes, a.count == b.count else { return false }
            func width(_ s: FeatureStorage) -> Int? { if case .mapped(let m) = s { return m.featureCount } else { return nil } }
            let fa = width(a) ?? 1, fb = width(b) ?? 1
            return (0..<a.count).allSatisfy { a.value(at: $0, featureCount: fa) == b.value(at: $0, featureCount: fb) }
        }
    }
}
