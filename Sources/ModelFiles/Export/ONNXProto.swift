// ONNXProto.swift: the ONNX messages this package writes, encoded by field number as `onnx.proto` (IR version 8) defines them.
import Backprop
import ProtobufWire

/// The ONNX messages this package writes, encoded by field number as `onnx.proto` (IR version 8)
/// defines them. Each type holds only the fields the exporter sets.
public enum ONNXProto {
    /// `TensorProto.DataType`: the element types a model is exported in.
    public enum ElementType: Int32, Sendable, CaseIterable {
        /// `FLOAT`: 32-bit IEEE 754.
        case float = 1
        /// `DOUBLE`: 64-bit IEEE 754 (a float64 model exported bit for bit).
        case double = 11

        /// Bytes per element.
        public var size: Int { self == .double ? 8 : 4 }

        /// `values` as little-endian bytes of this type (`float` rounds each to nearest).
        func rawData(_ values: [Double]) -> [UInt8] {
            var out = ProtobufWriter()
            switch self {
            case .double: for v in values { out.appendLittleEndian(v.bitPattern) }
            case .float: for v in values { out.appendLittleEndian(Float(v).bitPattern) }
            }
            return out.bytes
        }
    }

    /// `TensorProto`: a named constant (an initializer), its data as `raw_data`: `values` in `type`,
    /// or, when `integers` is given, those as INT64 (7), e.g. a `Reshape`'s shape.
    struct Tensor {
        var name: String
        var dims: [Int]
        var type: ElementType
        var values: [Double]
        var integers: [Int64]? = nil

        func encoded() -> ProtobufWriter {
            var w = ProtobufWriter()
            w.packedInts(1, dims.map(Int64.init))     // dims
            if let integers {
                var data = ProtobufWriter()
                for i in integers { data.appendLittleEndian(UInt64(bitPattern: i)) }
                w.int(2, 7)                           // data_type = INT64
                w.string(8, name)
                w.bytes(9, data.bytes)
            } else {
                w.int(2, Int64(type.rawValue))        // data_type
                w.string(8, name)                     // name
                w.bytes(9, type.rawData(values))      // raw_data
            }
            return w
        }
    }

    /// `AttributeProto` of type INT (2), INTS (7), FLOAT (1) or STRING (3).
    enum Attribute {
        case int(String, Int64)
        case ints(String, [Int64])
        case float(String, Float)
        case string(String, String)

        func encoded() -> ProtobufWriter {
            var w = ProtobufWriter()
            switch self {
            case .int(let name, let value):
                w.string(1, name)   // name
                w.int(3, value)     // i
                w.int(20, 2)        // type = INT
            case .ints(let name, let values):
                w.string(1, name)
                for v in values { w.int(8, v) }  // ints (repeated, unpacked as onnx.proto2 declares them)
                w.int(20, 7)        // type = INTS
            case .float(let name, let value):
                w.string(1, name)
                w.float(2, value)   // f
                w.int(20, 1)        // type = FLOAT
            case .string(let name, let value):
                w.string(1, name)
                w.string(4, value)  // s
                w.int(20, 3)        // type = STRING
            }
            return w
        }
    }

    /// `NodeProto`: one operator of the default domain.
    struct Node {
        var op: String
        var inputs: [String]
        var outputs: [String]
        var name: String
        var attributes: [Attribute] = []

        func encoded() -> ProtobufWriter {
            var w = ProtobufWriter()
            for i in inputs { w.string(1, i) }
            for o in outputs { w.string(2, o) }
            w.string(3, name)
            w.string(4, op)
            for a in attributes { w.message(5, a.encoded()) }
            return w
        }
    }

    /// `ValueInfoProto` of a tensor: a name, an element type and a shape whose dimensions are a
    /// number or a symbolic name (`dim_param`, e.g. the batch size).
    struct ValueInfo {
        enum Dimension { case value(Int), parameter(String) }
        var name: String
        /// `TensorProto.DataType` value (ELEMENT `INT64` is 7).
        var elementType: Int32
        var shape: [Dimension]

        func encoded() -> ProtobufWriter {
            var w = ProtobufWriter()
            w.string(1, name)
            w.message(2) { type in                       // TypeProto
                type.message(1) { tensor in              // tensor_type
                    tensor.int(1, Int64(elementType))    // elem_type
                    tensor.message(2) { shape in         // TensorShapeProto
                        for d in self.shape {
                            shape.message(1) { dim in
                                switch d {
                                case .value(let n): dim.int(1, Int64(n))
                                case .parameter(let p): dim.string(2, p)
                                }
                            }
                        }
                    }
                }
            }
            return w
        }
    }

    /// `GraphProto`.
    struct Graph {
        var name: String
        var nodes: [Node]
        var initializers: [Tensor]
        var inputs: [ValueInfo]
        var outputs: [ValueInfo]
        var docString: String

        func encoded() -> ProtobufWriter {
            var w = ProtobufWriter()
            for n in nodes { w.message(1, n.encoded()) }
            w.string(2, name)
            for t in initializers { w.message(5, t.encoded()) }
            w.string(10, docString)
            for i in inputs { w.message(11, i.encoded()) }
            for o in outputs { w.message(12, o.encoded()) }
            return w
        }
    }

    /// `ModelProto` with one opset import of the default domain and string metadata.
    struct Model {
        var irVersion: Int64
        var opsetVersion: Int64
        var producerName: String
        var producerVersion: String
        var graph: Graph
        var metadata: [(key: String, value: String)]

        func encoded() -> [UInt8] {
            var w = ProtobufWriter()
            w.int(1, irVersion)                  // ir_version
            w.string(2, producerName)            // producer_name
            w.string(3, producerVersion)         // producer_version
            w.message(7, graph.encoded())        // graph
            w.message(8) { opset in              // opset_import
                opset.string(1, "")              // domain: the default, ai.onnx
                opset.int(2, opsetVersion)       // version
            }
            for (key, value) in metadata {
                w.message(14) { entry in         // metadata_props
                    entry.string(1, key)
                    entry.string(2, value)
                }
            }
            return w.bytes
        }
    }
}
