// ONNXGraphBuilder.swift: an ONNX graph built node by node — its nodes, its constants (initializers), and the name of the last value computed.
/// An ONNX graph built node by node: its nodes in order, its constants (initializers) in `elementType`
/// (or INT64 for shapes and indices), and ``current``, the name of the last value computed.
struct ONNXGraphBuilder {
    let elementType: ONNXProto.ElementType
    private(set) var nodes: [ONNXProto.Node] = []
    private(set) var initializers: [ONNXProto.Tensor] = []
    /// The value the next node reads by default: the graph's input at first, then each node's output.
    var current: String

    init(elementType: ONNXProto.ElementType, input: String) {
        self.elementType = elementType
        current = input
    }

    /// Adds a constant of `dims` in the element type; returns its name.
    @discardableResult
    mutating func constant(_ name: String, _ dims: [Int], _ values: [Double]) -> String {
        initializers.append(.init(name: name, dims: dims, type: elementType, values: values))
        return name
    }

    /// Adds a one-dimensional INT64 constant; returns its name.
    @discardableResult
    mutating func integers(_ name: String, _ values: [Int]) -> String {
        initializers.append(.init(name: name, dims: [values.count], type: elementType, values: [], integers: values.map(Int64.init)))
        return name
    }

    /// Adds the node `op` of `inputs` writing `output` (also its name), which becomes ``current``.
    mutating func node(_ op: String, _ inputs: [String], _ output: String, _ attributes: [ONNXProto.Attribute] = []) {
        nodes.append(.init(op: op, inputs: inputs, outputs: [output], name: output, attributes: attributes))
        current = output
    }

    /// Renames the last node's output (and the node) to `name`, the graph's output.
    mutating func nameLastOutput(_ name: String) {
        nodes[nodes.count - 1].outputs = [name]
        nodes[nodes.count - 1].name = name
        current = name
    }
}
