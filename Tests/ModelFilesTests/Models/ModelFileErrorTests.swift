// ModelFileErrorTests.swift: bad model files, in both formats, give an error naming the file, the field and the problem.
import Backprop
import ModelFiles
import Foundation
import Testing
import TestSupport

/// Bad model files, in both formats, give an error naming the file, the field and the problem.
@Suite struct ModelFileErrorTests {
    static let goodJSON = """
        {"format": "backprop-model", "version": 2,
         "layers": [{"kind": "dense", "weights": [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], "bias": null, "activation": "sigmoid"},
                    {"kind": "dense", "weights": [[0.1], [-0.3]], "bias": [0.2], "activation": "sigmoid"}],
         "loss": "squared_error",
         "scaling": {"method": "standardize", "offset": [1, 2, 3], "scale": [0.5, 0.25, 2]},
         "class_names": ["no", "yes"],
         "metadata": {"epochs": "3"}}
        """

    /// The same model as `goodJSON`, built tensor by tensor.
    static func goodContainer() -> SafeTensors {
        SafeTensors(
            tensors: ["layers.0.weight": .init(shape: [3, 2], values: [0.5, -0.6, 0.1, -0.2, 0.1, 0.7]),
                      "layers.1.weight": .init(shape: [2, 1], values: [0.1, -0.3]),
                      "layers.1.bias": .init(shape: [1], values: [0.2]),
                      "scaling.offset": .init(shape: [3], values: [1, 2, 3]),
                      "scaling.scale": .init(shape: [3], values: [0.5, 0.25, 2])],
            metadata: ["format": "backprop-model", "version": "2", "loss": "squared_error", "kinds": "dense,dense", "activations": "sigmoid,sigmoid",
                       "scaling_method": "standardize", "class_names": #"["no", "yes"]"#, "meta.epochs": "3"])
    }

    /// Loads `bytes` from a file called `name` and returns the error, with its file checked.
    func error(_ bytes: Data, name: String) throws -> FileFormatError {
        let path = TestData.temporaryDirectory().appendingPathComponent(name).path
        try bytes.write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: FileFormatError.self) { try SavedModel.load(path: path) }
        #expect(error.file == path && error.description.hasPrefix("\(path): "))
        return error
    }

    static func json(_ from: String, _ to: String) -> String {
        precondition(goodJSON.contains(from), "fixture edit: \(from) not found")
        return goodJSON.replacingOccurrences(of: from, with: to)
    }

    static let badJSON: [(String, String, String?, String)] = [
        ("empty file", "", nil, "empty"),
        ("not JSON", "{\"format\": ", nil, "not valid JSON"),
        ("case file, not a model", json("\"format\": \"backprop-model\", ", ""), "format", "missing field"),
        ("another format", json("backprop-model", "keras"), "format", "expected \"backprop-model\", found \"keras\""),
        ("newer version", json("\"version\": 2", "\"version\": 3"), "version", "version 3 is not supported"),
        ("version as a string", json("\"version\": 2", "\"version\": \"2\""), "version", "expected a number, found a string"),
        ("missing layers", json("\"layers\"", "\"strata\""), "layers", "missing field"),
        ("unknown layer kind", json("\"kind\": \"dense\"", "\"kind\": \"lstm\""), "layers[0].kind", "unknown layer kind \"lstm\" (expected one of dense, conv2d, maxpool2d, avgpool2d, flatten, leaky_relu)"),
        ("layer kind not a string", json("\"kind\": \"dense\"", "\"kind\": 1"), "layers[0].kind", "expected a string"),
        ("unknown loss", json("squared_error", "hinge"), "loss", "unknown loss \"hinge\""),
        ("fan-in mismatch", json("[[0.1], [-0.3]]", "[[0.1], [-0.3], [0.4]]"), "layers[1].weights", "expected 2 rows"),
        ("softmax without cross-entropy", json("\"bias\": [0.2], \"activation\": \"sigmoid\"", "\"bias\": [0.2], \"activation\": \"softmax\""),
         "loss", "softmax output needs the cross_entropy loss"),
        ("scaling not an object", json("\"scaling\": {", "\"scaling\": [{").replacingOccurrences(of: "2]},", with: "2]}],"),
         "scaling", "expected an object, found an array"),
        ("unknown scaling method", json("\"method\": \"standardize\"", "\"method\": \"whiten\""), "scaling.method", "unknown scaling method \"whiten\""),
        ("offset length", json("[1, 2, 3]", "[1, 2]"), "scaling.offset", "expected 3 numbers (one per input of layer 0), found 2"),
        ("missing scale", json(", \"scale\": [0.5, 0.25, 2]", ""), "scaling.scale", "missing field"),
        ("zero scale", json("[0.5, 0.25, 2]", "[0.5, 0, 2]"), "scaling.scale[1]", "scale of 0"),
        ("class name count", json("[\"no\", \"yes\"]", "[\"a\", \"b\", \"c\"]"), "class_names", "3 names for 1 outputs"),
        ("class name not a string", json("[\"no\", \"yes\"]", "[\"no\", 1]"), "class_names[1]", "expected a string, found a number"),
        ("class names not an array", json("[\"no\", \"yes\"]", "\"no,yes\""), "class_names", "expected an array, found a string"),
        ("metadata value not a string", json("\"epochs\": \"3\"", "\"epochs\": 3"), "metadata[\"epochs\"]", "expected a string, found a number"),
        ("metadata not an object", json("{\"epochs\": \"3\"}", "[]"), "metadata", "expected an object, found an array"),
    ]

    @Test(arguments: badJSON)
    func badJSONNamesFieldAndProblem(label: String, text: String, field: String?, problem: String) throws {
        let error = try self.error(Data(text.utf8), name: "bad.json")
        #expect(error.field == field, "\(label): \(error)")
        #expect(error.problem.contains(problem), "\(label): \(error)")
    }

    @Test func optionalJSONFieldsMayBeLeftOut() throws {
        let minimal = """
            {"format": "backprop-model", "version": 1, "loss": "squared_error",
             "layers": [{"weights": [[0.5]], "bias": null, "activation": "identity"}]}
            """
        let model = try SavedModel.decode(Data(minimal.utf8), file: "minimal.json")
        #expect(model.scaler == nil && model.classNames == nil && model.metadata.isEmpty)
        #expect(model.layers[0].weights.elements == [0.5])
    }

    typealias Edit = @Sendable (inout SafeTensors) -> Void

    static let badContainers: [(String, Edit, String?, String)] = [
        ("no format", { $0.metadata["format"] = nil }, #"header["__metadata__"]["format"]"#, "missing field"),
        ("another format", { $0.metadata["format"] = "pt" }, #"header["__metadata__"]["format"]"#, "found \"pt\""),
        ("newer version", { $0.metadata["version"] = "3" }, #"header["__metadata__"]["version"]"#, "version \"3\" is not supported"),
        ("unknown layer kind", { $0.metadata["kinds"] = "dense,lstm" }, #"header["__metadata__"]["kinds"]"#, "layer 1: unknown layer kind \"lstm\""),
        ("kinds for other layers", { $0.metadata["kinds"] = "dense" }, #"header["__metadata__"]["kinds"]"#, "1 layer kinds for 2 layers"),
        ("unknown loss", { $0.metadata["loss"] = "hinge" }, #"header["__metadata__"]["loss"]"#, "unknown loss \"hinge\""),
        ("no activations", { $0.metadata["activations"] = nil }, #"header["__metadata__"]["activations"]"#, "missing field"),
        ("unknown activation", { $0.metadata["activations"] = "sigmoid,swish" }, #"header["__metadata__"]["activations"]"#,
         "layer 1: unknown activation \"swish\""),
        // The kinds and the activations list one entry per layer each: a count that differs is named first.
        ("more activations than layers", { $0.metadata["activations"] = "sigmoid,sigmoid,sigmoid" }, #"header["__metadata__"]["kinds"]"#,
         "2 layer kinds for 3 layers in the activations metadata"),
        ("fewer activations than layers", { $0.metadata["activations"] = "sigmoid" }, #"header["__metadata__"]["kinds"]"#,
         "2 layer kinds for 1 layers in the activations metadata"),
        ("more activations than layers, no kinds (version 1)", { $0.metadata["activations"] = "sigmoid,sigmoid,sigmoid"; $0.metadata["kinds"] = nil },
         #"header["layers.2.weight"]"#, "missing tensor (the activations metadata lists 3 layers)"),
        ("weights not a matrix", { $0.tensors["layers.0.weight"]!.shape = [6] }, #"header["layers.0.weight"].shape"#,
         "expected [fan_in, fan_out], both at least 1, found [6]"),
        ("empty weights", { $0.tensors["layers.0.weight"] = .init(shape: [3, 0], values: []) }, #"header["layers.0.weight"].shape"#,
         "both at least 1"),
        ("fan-in mismatch", { $0.tensors["layers.1.weight"] = .init(shape: [1, 2], values: [0.1, -0.3]) },
         #"header["layers.1.weight"].shape"#, "fan_in 1 (the first dimension), but layer 0 has 2 outputs"),
        ("bias length", { $0.tensors["layers.1.bias"] = .init(shape: [2], values: [0.2, 0.3]) }, #"header["layers.1.bias"].shape"#,
         "expected [1] (fan_out of layers.1.weight), found [2]"),
        ("NaN weight", { $0.tensors["layers.0.weight"]!.values[3] = .nan }, "layers.0.weight[1][1]", "value nan is not finite"),
        ("infinite bias", { $0.tensors["layers.1.bias"]!.values[0] = -.infinity }, "layers.1.bias[0]", "value -inf is not finite"),
        ("softmax not last", { $0.metadata["activations"] = "softmax,sigmoid" }, #"header["__metadata__"]["activations"]"#,
         "layer 0: softmax is only allowed on the last layer"),
        ("cross-entropy without softmax", { $0.metadata["loss"] = "cross_entropy" }, #"header["__metadata__"]["loss"]"#,
         "needs a softmax output layer"),
        ("unknown scaling method", { $0.metadata["scaling_method"] = "whiten" }, #"header["__metadata__"]["scaling_method"]"#,
         "unknown scaling method \"whiten\""),
        ("scaling tensors without a method", { $0.metadata["scaling_method"] = nil }, #"header["scaling.offset"]"#,
         "unexpected tensor (the model has no scaling_method metadata)"),
        ("missing scale", { $0.tensors["scaling.scale"] = nil }, #"header["scaling.scale"]"#, "missing tensor"),
        ("offset length", { $0.tensors["scaling.offset"] = .init(shape: [2], values: [1, 2]) }, #"header["scaling.offset"].shape"#,
         "expected [3] (one per input of layer 0), found [2]"),
        ("zero scale", { $0.tensors["scaling.scale"]!.values[0] = 0 }, "scaling.scale[0]", "scale of 0"),
        ("NaN scale", { $0.tensors["scaling.scale"]!.values[2] = .nan }, "scaling.scale[2]", "not finite"),
        ("class names not JSON", { $0.metadata["class_names"] = "no,yes" }, #"header["__metadata__"]["class_names"]"#,
         "expected a JSON array of strings"),
        ("class name count", { $0.metadata["class_names"] = #"["a", "b", "c"]"# }, #"header["__metadata__"]["class_names"]"#,
         "3 names for 1 outputs"),
        ("class name not a string", { $0.metadata["class_names"] = #"[1, "b"]"# }, #"header["__metadata__"]["class_names"][0]"#,
         "expected a string, found a number"),
        ("stray tensor", { $0.tensors["optimizer.momentum"] = .init(shape: [1], values: [0]) }, #"header["optimizer.momentum"]"#,
         "unexpected tensor"),
    ]

    @Test(arguments: badContainers)
    func badSafetensorsNamesFieldAndProblem(label: String, edit: Edit, field: String?, problem: String) throws {
        var container = Self.goodContainer()
        edit(&container)
        let error = try self.error(container.encoded(), name: "bad.safetensors")
        #expect(error.field == field, "\(label): \(error)")
        #expect(error.problem.contains(problem), "\(label): \(error)")
    }

    @Test func aCorruptContainerGivesTheContainersError() throws {
        var bytes = Self.goodContainer().encoded()
        bytes.removeLast(8)
        let error = try self.error(bytes, name: "truncated.safetensors")
        #expect(error.field == #"header["scaling.scale"].data_offsets"# && error.problem.contains("past the end"), "\(error)")
        let short = try self.error(Data([1, 0, 0]), name: "short.safetensors")
        #expect(short.problem.contains("8-byte header length"), "\(short)")
    }

    @Test func neitherFormatIsSaidSo() throws {
        let error = try self.error(Data("PK\u{3}\u{4} not a model".utf8), name: "model.bin")
        #expect(error.field == nil && error.problem.contains("neither a JSON object nor a safetensors container"), "\(error)")
        let json = try self.error(Data("not json".utf8), name: "model.json")
        #expect(json.problem.contains("not valid JSON"), "\(json)")
    }

    @Test func aMissingFileIsAnError() {
        let error = #expect(throws: FileFormatError.self) { try SavedModel.load(path: "/nonexistent/model.json") }
        #expect(error?.problem.contains("cannot read") == true)
    }
}
