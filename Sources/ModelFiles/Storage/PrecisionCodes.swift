// PrecisionCodes.swift: the one mapping from a precision to the element-type codes of the formats it is written in (safetensors, ONNX, NumPy).
import Backprop

extension Precision {
    /// Bytes per element: 4 for float32, 8 for float64.
    public var byteCount: Int { self == .float32 ? 4 : 8 }

    /// The safetensors dtype: `"F32"` or `"F64"`.
    public var safeTensorsDType: String { self == .float32 ? "F32" : "F64" }

    /// The precision of a safetensors dtype, or nil for any other dtype.
    public init?(safeTensorsDType dtype: String) {
        guard let precision = Precision.allCases.first(where: { $0.safeTensorsDType == dtype }) else { return nil }
        self = precision
    }

    /// ONNX's `TensorProto.DataType`: `FLOAT` (1) or `DOUBLE` (11).
    public var onnxElementType: ONNXProto.ElementType { self == .float32 ? .float : .double }

    /// NumPy's little-endian dtype string: `"<f4"` or `"<f8"`.
    public var numpyDescr: String { self == .float32 ? "<f4" : "<f8" }
}
