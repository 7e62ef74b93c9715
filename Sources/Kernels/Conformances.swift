// Conformances.swift: Float and Double as kernel scalars (the kernels themselves are written once, in KernelScalar.swift).

extension Double: KernelScalar {
    @inlinable public static var _kernelIsFloat32: Int32 { 0 }
}

extension Float: KernelScalar {
    @inlinable public static var _kernelIsFloat32: Int32 { 1 }
}
