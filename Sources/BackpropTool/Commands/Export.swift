// Export.swift: `backprop export MODEL --format onnx|torch --output FILE`.
import ArgumentParser
import Backprop
import Foundation
import Linalg
import ModelFiles

/// `backprop export MODEL --format onnx|torch --output FILE`: a saved model for other tools.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a saved model for other tools: an ONNX graph, or a PyTorch state dict.",
        discussion: """
            onnx: a graph for ONNX Runtime (opset \(ONNXExport.opsetVersion)) taking the raw features as `input` \
            (batch × inputs, or batch × C × H × W when the first layer is an image layer); the input scaling, each layer's \
            operators (MatMul and Add, Conv, MaxPool, AveragePool, Flatten, LeakyRelu) and its activation are operators; the first \
            output is `probabilities` (softmax models, followed by `class`) or `outputs`. The graph computes in the model's own \
            precision unless --precision says otherwise; float32 rounds every parameter to float32.

            torch: the state dict of torch.nn.Sequential(Linear or Conv2d, activation, ..., MaxPool2d, AvgPool2d, Flatten, LeakyReLU) in a .safetensors \
            file, in the model's precision (F32 or F64 tensors); `backprop inspect FILE` prints the PyTorch code that loads it (strict=True), and `evaluate`, \
            `predict` and `train --init-from` read it back.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case onnx, torch }

    @Argument(help: "A model saved by `backprop train --save` (.json or .safetensors, either layout).")
    var model: String

    @Option(help: "onnx or torch.")
    var format: Format

    @Option(help: ArgumentHelp("The file to write (.onnx for onnx, .safetensors for torch).", valueName: "FILE"))
    var output: String

    @Option(help: "Element type of an ONNX graph: float32 or float64. Default: the model's own precision (bit for bit).")
    var precision: Precision?

    func validate() throws {
        let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
        let wanted = format == .onnx ? "onnx" : "safetensors"
        if ext != wanted { throw ValidationError("--output \(output): \(format == .onnx ? "an ONNX" : "a torch") export is written to a .\(wanted) file") }
        if format == .torch, let precision {
            throw ValidationError("--precision \(precision.rawValue): the torch export keeps the model's own precision (convert in PyTorch with model.float() or model.double())")
        }
        try OutputPath.check(output, option: "--output")
    }

    func run() throws {
        let saved = try SavedModel.load(path: model)
        let precision = self.precision ?? PrecisionDefault.ofModel(saved)
        let bytes: Data
        switch format {
        case .onnx: bytes = ONNXExport.encoded(saved, elementType: precision.onnxElementType)
        case .torch: bytes = saved.torchStateDict()
        }
        try AtomicFile.write(bytes, to: output)
        print("wrote \(output) (\(format.rawValue), \(precision.rawValue), \(bytes.count) bytes)")
        if format == .torch { print("load it in PyTorch with the code `backprop inspect \(output)` prints") }
    }
}
