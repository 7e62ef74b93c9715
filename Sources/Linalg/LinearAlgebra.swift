// LinearAlgebra.swift: what a backend computes: the BLAS operations a network needs, with shape checks shared by both backends.
/// Whether an operand enters a product as it is or transposed (BLAS's `trans` argument).
public enum Transpose: Sendable {
    /// op(A) = A.
    case none
    /// op(A) = Aᵀ (read in place; nothing is copied).
    case transpose

    /// The operand's shape after this transpose is applied to a `rows × columns` matrix.
    @inlinable
    func shape<Scalar: BLASScalar>(_ m: Matrix<Scalar>) -> (rows: Int, columns: Int) {
        self == .none ? (m.rows, m.columns) : (m.columns, m.rows)
    }
}

/// The dense linear algebra a network needs, named and shaped as in BLAS.
///
/// Two conformers: ``BLAS`` (OpenBLAS through CBLAS) and ``Reference`` (plain Swift loops,
/// the readable specification the tests hold the BLAS one to). Networks take the backend
/// as a generic parameter so the compiler specialises the hot path for it.
///
/// Shapes are checked before any work: a mismatch stops with a precondition naming both shapes.
/// Matrices are row-major ``Matrix``; vectors are buffer pointers in the requirements (any storage) and
/// `[Scalar]` in the forms the extension adds. Nothing is allocated by these calls.
/// A backend computes in one precision, its `Scalar`: `BLAS<Float>` calls the `cblas_s*` routines,
/// `BLAS<Double>` the `cblas_d*` ones.
///
/// Beside those, the three operations of a 2-D convolution layer over a ``ConvolutionShape``
/// (``convolve(_:_:weights:bias:into:scratch:)`` and its weight and input gradients). They come
/// with default implementations, the definitions' direct loops, which ``Reference`` uses; ``BLAS``
/// replaces them with im2col and one `gemm` each over the whole batch.
public protocol LinearAlgebra<Scalar>: SendableMetatype {
    /// The precision this backend computes in (`Float` or `Double`).
    associatedtype Scalar: BLASScalar

    /// The same backend in float64 (`BLAS<Double>` for any `BLAS`, `Reference<Double>` for any
    /// `Reference`): where a float32 computation is checked in double precision.
    associatedtype InDouble: LinearAlgebra<Double> = Self

    /// A short name for reports: "blas" or "reference".
    static var name: String { get }

    /// Lets one call use at most `count` threads (≥ 1), for a caller that runs several calls at
    /// once on threads of its own. Set it before the first call of a run (``BLAS``: OpenBLAS's
    /// thread pool, see ``BLASThreads``; ``Reference``: always one thread, so nothing to set).
    static func setThreadsPerCall(_ count: Int)

    /// C ← α·op(A)·op(B) + β·C, with op(A) `m × k`, op(B) `k × n`, C `m × n`.
    /// When β is 0, C's old contents are ignored (NaN in C does not propagate).
    static func gemm(_ transA: Transpose, _ transB: Transpose, alpha: Scalar,
                     _ a: Matrix<Scalar>, _ b: Matrix<Scalar>, beta: Scalar, into c: inout Matrix<Scalar>)

    /// y ← α·op(A)·x + β·y, with op(A) `m × n`, x of length n, y of length m, x and y not overlapping.
    /// When β is 0, y's old contents are ignored. The vectors are any storage (the array form below
    /// calls this), so a pass can hand over its buffers' storage without copying them.
    static func gemv(_ transA: Transpose, alpha: Scalar, _ a: Matrix<Scalar>, _ x: UnsafeBufferPointer<Scalar>,
                     beta: Scalar, into y: UnsafeMutableBufferPointer<Scalar>)

    /// A ← α·x·yᵀ + A, with x of length `A.rows` and y of length `A.columns` (an outer product).
    static func ger(alpha: Scalar, _ x: UnsafeBufferPointer<Scalar>, _ y: UnsafeBufferPointer<Scalar>, into a: inout Matrix<Scalar>)

    /// y ← α·x + y, for vectors of equal length, not overlapping.
    static func axpy(alpha: Scalar, _ x: UnsafeBufferPointer<Scalar>, into y: UnsafeMutableBufferPointer<Scalar>)

    /// x ← α·x.
    static func scal(alpha: Scalar, _ x: inout [Scalar])

    /// xᵀ·y, for vectors of equal length.
    static func dot(_ x: [Scalar], _ y: [Scalar]) -> Scalar

    /// The convolution's forward pass, PyTorch's `conv2d` (a cross-correlation): for each sample n,
    /// Y[n, f, i, j] = b[f] + Σ_{c,u,v} W[f, (c, u, v)]·Xpad[n, c, i·sh + u, j·sw + v], with X `batch × C·H·W`,
    /// `weights` `F × C·kh·kw` (PyTorch's `[out, in, kh, kw]` flattened), `bias` F entries or nil, and Y
    /// `batch × F·H′·W′`, all NCHW rows (see ``ConvolutionShape``). Y's old contents are ignored;
    /// `scratch` (made for `shape` and this batch) is overwritten.
    static func convolve(_ shape: ConvolutionShape, _ x: Matrix<Scalar>, weights: Matrix<Scalar>, bias: [Scalar]?,
                         into y: inout Matrix<Scalar>, scratch: ConvolutionScratch<Scalar>)

    /// The convolution's weight gradient: G[f, (c, u, v)] ← α·Σ_{n,i,j} D[n, f, i, j]·Xpad[n, c, i·sh + u, j·sw + v],
    /// with X `batch × C·H·W`, D (the error terms at the output) `batch × F·H′·W′` and G `F × C·kh·kw`.
    /// G's old contents are ignored; `scratch` is overwritten. With `afterForward`, the caller promises
    /// that `x` is the input of the last ``convolve(_:_:weights:bias:into:scratch:)`` with this scratch,
    /// unchanged since (as a layer's backward pass after its forward pass): ``BLAS`` then reuses the
    /// im2col matrix that call left in `scratch` (unless an input gradient has overwritten it since).
    static func convolutionWeightGradient(_ shape: ConvolutionShape, _ x: Matrix<Scalar>, errors d: Matrix<Scalar>, alpha: Scalar,
                                          into g: inout Matrix<Scalar>, scratch: ConvolutionScratch<Scalar>, afterForward: Bool)

    /// The convolution's input gradient (the transposed convolution): E[n, c, y, x] ← Σ W[f, (c, u, v)]·D[n, f, i, j]
    /// over every (f, u, v, i, j) with i·sh + u − ph = y and j·sw + v − pw = x; D `batch × F·H′·W′`,
    /// E `batch × C·H·W`. E's old contents are ignored; `scratch` is overwritten.
    static func convolutionInputGradient(_ shape: ConvolutionShape, errors d: Matrix<Scalar>, weights: Matrix<Scalar>,
                                         into e: inout Matrix<Scalar>, scratch: ConvolutionScratch<Scalar>)
}

extension LinearAlgebra {
    /// y ← α·op(A)·x + β·y on arrays (``gemv(_:alpha:_:_:beta:into:)-(_,_,_,UnsafeBufferPointer<Scalar>,_,_)``).
    @inlinable
    public static func gemv(_ transA: Transpose, alpha: Scalar, _ a: Matrix<Scalar>, _ x: [Scalar], beta: Scalar, into y: inout [Scalar]) {
        x.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { gemv(transA, alpha: alpha, a, x, beta: beta, into: $0) } }
    }

    /// A ← α·x·yᵀ + A on arrays.
    @inlinable
    public static func ger(alpha: Scalar, _ x: [Scalar], _ y: [Scalar], into a: inout Matrix<Scalar>) {
        x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { ger(alpha: alpha, x, $0, into: &a) } }
    }

    /// y ← α·x + y on arrays.
    @inlinable
    public static func axpy(alpha: Scalar, _ x: [Scalar], into y: inout [Scalar]) {
        x.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { axpy(alpha: alpha, x, into: $0) } }
    }

    /// The weight gradient from `x` itself (`afterForward: false`): nothing is assumed of `scratch`.
    @inlinable
    public static func convolutionWeightGradient(_ shape: ConvolutionShape, _ x: Matrix<Scalar>, errors d: Matrix<Scalar>, alpha: Scalar,
                                                 into g: inout Matrix<Scalar>, scratch: ConvolutionScratch<Scalar>) {
        convolutionWeightGradient(shape, x, errors: d, alpha: alpha, into: &g, scratch: scratch, afterForward: false)
    }
}

/// Shape checks shared by both backends, so both stop with the same message.
@usableFromInline
enum ShapeCheck {
    @inlinable
    static func gemm<Scalar: BLASScalar>(_ transA: Transpose, _ transB: Transpose, _ a: Matrix<Scalar>, _ b: Matrix<Scalar>,
                     _ c: Matrix<Scalar>) -> (m: Int, n: Int, k: Int) {
        let (m, k) = transA.shape(a)
        let (kb, n) = transB.shape(b)
        precondition(k == kb && c.rows == m && c.columns == n,
                     "gemm: op(A) \(m)×\(k) · op(B) \(kb)×\(n) does not fit C \(c.rows)×\(c.columns)")
        return (m, n, k)
    }

    @inlinable
    static func gemv<Scalar: BLASScalar>(_ transA: Transpose, _ a: Matrix<Scalar>, x: Int, y: Int) -> (m: Int, n: Int) {
        let (m, n) = transA.shape(a)
        precondition(x == n && y == m, "gemv: op(A) \(m)×\(n) · x[\(x)] does not fit y[\(y)]")
        return (m, n)
    }

    @inlinable
    static func ger<Scalar: BLASScalar>(x: Int, y: Int, _ a: Matrix<Scalar>) {
        precondition(x == a.rows && y == a.columns, "ger: x[\(x)] · y[\(y)]ᵀ does not fit A \(a.rows)×\(a.columns)")
    }

    @inlinable
    static func sameLength(_ op: StaticString, x: Int, y: Int) {
        precondition(x == y, "\(op): x[\(x)] and y[\(y)] differ in length")
    }
}
