// KernelScalar.swift: a floating-point type the element-wise kernels of `CKernels` run in.
import CKernels

/// A floating-point type the element-wise kernels of `CKernels` run in: `Float` and `Double`.
///
/// Each requirement is one C kernel over raw pointers and an element count (see `CKernels.h` for
/// the exact contract); callers normally use the checked buffer forms in ``Kernel``.
public protocol KernelScalar: BinaryFloatingPoint, Sendable {
    static func _exp(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ n: Int)
    static func _sigmoid(_ h: UnsafePointer<Self>, _ a: UnsafeMutablePointer<Self>, _ n: Int)
    static func _tanh(_ h: UnsafePointer<Self>, _ a: UnsafeMutablePointer<Self>, _ n: Int)
    static func _relu(_ h: UnsafePointer<Self>, _ a: UnsafeMutablePointer<Self>, _ n: Int)
    static func _mulSigmoidDerivative(_ d: UnsafeMutablePointer<Self>, _ a: UnsafePointer<Self>, _ n: Int)
    static func _mulTanhDerivative(_ d: UnsafeMutablePointer<Self>, _ a: UnsafePointer<Self>, _ n: Int)
    static func _mulReluDerivative(_ d: UnsafeMutablePointer<Self>, _ h: UnsafePointer<Self>, _ n: Int)
    static func _softmaxRows(_ h: UnsafePointer<Self>, _ a: UnsafeMutablePointer<Self>, _ rows: Int, _ columns: Int)
    static func _crossEntropySum(_ h: UnsafePointer<Self>, _ t: UnsafePointer<Self>, _ rows: Int, _ columns: Int) -> Double
    static func _squaredErrorSum(_ y: UnsafePointer<Self>, _ t: UnsafePointer<Self>, _ n: Int) -> Double
    static func _subtract(_ t: UnsafePointer<Self>, _ y: UnsafePointer<Self>, _ d: UnsafeMutablePointer<Self>, _ n: Int)
    static func _axpby(_ a: Self, _ x0: UnsafePointer<Self>, _ b: Self, _ x1: UnsafePointer<Self>,
                       _ y: UnsafeMutablePointer<Self>, _ n: Int)
    static func _multiply(_ x: UnsafePointer<Self>, _ m: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ n: Int)
    static func _sum(_ x: UnsafePointer<Self>, _ n: Int) -> Double
    static func _adam(_ theta: UnsafeMutablePointer<Self>, _ g: UnsafePointer<Self>, _ m: UnsafeMutablePointer<Self>,
                      _ v: UnsafeMutablePointer<Self>, _ n: Int, _ beta1: Self, _ beta2: Self, _ stepSize: Self,
                      _ inverseCorrection2: Self, _ epsilon: Self)
    static func _momentum(_ theta: UnsafeMutablePointer<Self>, _ g: UnsafePointer<Self>, _ v: UnsafeMutablePointer<Self>,
                          _ n: Int, _ mu: Self, _ eta: Self, _ nesterov: Bool)
    static func _dropout(_ states: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<Self>, _ mask: UnsafeMutablePointer<Self>,
                         _ dropped: UnsafeMutablePointer<Self>, _ rows: Int, _ columns: Int, _ rate: Double, _ keep: Self)
    static func _scaleBytes(_ x: UnsafePointer<UInt8>, _ offset: UnsafePointer<Double>, _ scale: UnsafePointer<Double>,
                            _ out: UnsafeMutablePointer<Self>, _ n: Int)
    static func _scaleDoubles(_ x: UnsafePointer<Double>, _ offset: UnsafePointer<Double>, _ scale: UnsafePointer<Double>,
                              _ out: UnsafeMutablePointer<Self>, _ n: Int)
}
