import ArgumentParser
import Backprop
import Foundation
import ONNX

/// `backprop export MODEL --format onnx|torch --output FILE`: a saved model for other tools.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a saved model for other tools: an ONNX graph, or a PyTorch state dict.",
        discussion: """
            onnx: a graph for ONNX Runtime (opset \(ONNXExport.opsetVersion)) taking the raw features as `input` \
            (batch × inputs); the input scaling, each layer's MatMul and Add and its activation are operators; the first \
            output is `probabilities` (softmax models, followed by `class`) or `outputs`. --precision float32 rounds every \
            parameter to float32 and makes the graph compute in float32.

            torch: the state dict of torch.nn.Sequential(Linear, activation, Linear, activation, ...) in a .safetensors \
            file; `backprop inspect FILE` prints the PyTorch code that loads it (strict=True), and `evaluate`, \
            `predict` and `train --init-from` read it back.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case onnx, torch }
    enum Precision: String, ExpressibleByArgument, CaseIterable { case float64, float32 }

    @Argument(help: "A model saved by `backprop train --save` (.json or .safetensors, either layout).")
    var model: String

    @Option(help: "onnx or torch.")
    var format: Format

    @Option(help: ArgumentHelp("The file to write (.onnx for onnx, .safetensors for torch).", valueName: "FILE"))
    var output: String

    @Option(help: "Element type of an ONNX graph: float64 (the model's own, bit for bit) or float32.")
    var precision: Precision = .float64

    func validate() throws {
        let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
        let wanted = format == .onnx ? "onnx" : "safetensors"
        if ext != wanted { throw ValidationError("--output \(output): \(format == .onnx ? "an ONNX" : "a torch") export is written to a .\(wanted) file") }
        if format == .torch && precision != .float64 {
            throw ValidationError("--precision \(precision.rawValue): the torch export is float64 (convert in PyTorch with model.float())")
        }
        try OutputPath.check(output, option: "--output")
    }

    func run() throws {
        let saved = try SavedModel.load(path: model)
        let bytes: Data
        switch format {
        case .onnx: bytes = ONNXExport.encoded(saved, elementType: precision == .float64 ? .double : .float)
        case .torch: bytes = saved.torchStateDict()
        }
        try AtomicFile.write(bytes, to: output)
        print("wrote \(output) (\(format.rawValue), \(precision.rawValue), \(bytes.count) bytes)")
        if format == .torch { print("load it in PyTorch with the code `backprop inspect \(output)` prints") }
    }
}
