// ConvolutionErrorTests.swift: image layers that do not fit: each shape problem is a NetworkError naming the layer, its kind and the shapes.
import Backprop
import Linalg
import Testing

@Suite struct ConvolutionErrorTests {
    static func conv(input: (Int, Int, Int), filters: Int = 2, columns: Int? = nil, bias: Int? = nil, kernel: (Int, Int) = (3, 3),
                     stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) -> Layer<Double> {
        .conv2d(Conv2D(input: input, weights: Matrix(rows: filters, columns: columns ?? input.0 * kernel.0 * kernel.1, repeating: 0.1),
                       bias: bias.map { [Double](repeating: 0, count: $0) }, kernel: kernel, stride: stride, padding: padding,
                       activation: .relu))
    }

    func error(_ layers: [Layer<Double>]) -> NetworkError? {
        do {
            _ = try NetworkDefinition(layers: layers, loss: .squaredError)
            return nil
        } catch {
            return error
        }
    }

    @Test func eachProblemIsNamed() {
        let cases: [([Layer<Double>], NetworkError, String)] = [
            ([Self.conv(input: (1, 2, 5))], .windowLargerThanInput(layer: 0, kind: "conv2d", window: [3, 3], input: [1, 2, 5], padding: [0, 0]),
             "layer 0 (conv2d): window 3×3 is larger than the padded input 2×5 (input 1×2×5, padding 0×0)"),
            ([Self.conv(input: (1, 5, 5), stride: (0, 1))], .sizeTooSmall(layer: 0, kind: "conv2d", name: "stride", values: [0, 1], minimum: 1),
             "layer 0 (conv2d): stride 0×1 must be at least 1 in every entry"),
            ([Self.conv(input: (1, 5, 5), padding: (-1, 0))], .sizeTooSmall(layer: 0, kind: "conv2d", name: "padding", values: [-1, 0], minimum: 0),
             "layer 0 (conv2d): padding -1×0 must be at least 0 in every entry"),
            ([Self.conv(input: (0, 5, 5))], .sizeTooSmall(layer: 0, kind: "conv2d", name: "input shape", values: [0, 5, 5], minimum: 1),
             "layer 0 (conv2d): input shape 0×5×5 must be at least 1 in every entry"),
            ([Self.conv(input: (2, 5, 5), columns: 17)], .filterWeightsShape(layer: 0, rows: 2, columns: 17, patchSize: 18),
             "layer 0 (conv2d): weights are 2×17; the input channels and kernel need 18 columns (filters × C·kh·kw, PyTorch's [out, in, kh, kw] flattened)"),
            ([Self.conv(input: (2, 5, 5), bias: 3)], .filterBiasLength(layer: 0, count: 3, filters: 2),
             "layer 0 (conv2d): bias has 3 entries, the layer has 2 filters"),
            ([Self.conv(input: (1, 5, 5)), .maxPool2D(MaxPool2D(input: (2, 3, 3), window: (4, 2)))],
             .windowLargerThanInput(layer: 1, kind: "maxpool2d", window: [4, 2], input: [2, 3, 3], padding: [0, 0]),
             "layer 1 (maxpool2d): window 4×2 is larger than the padded input 3×3 (input 2×3×3, padding 0×0)"),
            ([.avgPool2D(AvgPool2D(input: (1, 4, 4), window: (0, 2)))], .sizeTooSmall(layer: 0, kind: "avgpool2d", name: "window", values: [0, 2], minimum: 1),
             "layer 0 (avgpool2d): window 0×2 must be at least 1 in every entry"),
            ([.flatten(Flatten(input: (3, 0, 2)))], .sizeTooSmall(layer: 0, kind: "flatten", name: "input shape", values: [3, 0, 2], minimum: 1),
             "layer 0 (flatten): input shape 3×0×2 must be at least 1 in every entry"),
            // 1×5×5 through a 3×3 kernel gives 2×3×3 = 18 values; a flatten of 2×3×2 reads 12.
            ([Self.conv(input: (1, 5, 5)), .flatten(Flatten(input: (2, 3, 2)))], .fanInMismatch(layer: 1, fanIn: 12, previousFanOut: 18),
             "layer 1: weights have 12 rows (fan_in) but layer 0 has 18 outputs"),
        ]
        for (layers, expected, message) in cases {
            let found = error(layers)
            #expect(found == expected)
            #expect(found?.description == message)
        }
        #expect(error([Self.conv(input: (1, 5, 5)), .maxPool2D(MaxPool2D(input: (2, 3, 3), window: (3, 3)))]) == nil)
    }
}
