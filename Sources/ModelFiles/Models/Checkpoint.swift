// Checkpoint.swift: a training run saved between epochs (network, optimiser state, place in the run), in safetensors.
import Backprop
import Datasets
import Foundation
import Linalg

/// A training run saved between epochs: the network, the optimiser's and schedule's state, the
/// generator, the early-stopping bookkeeping and the history, so that a resumed run ends with the
/// same weights as one that never stopped (same backend and BLAS thread count).
///
/// Stored as safetensors: every number that must be exact is a tensor (the network's parameters and
/// the optimiser's arrays in the run's precision, F32 or F64; the rest F64), and the rest is JSON
/// in the metadata. A run resumes only in the precision it was trained in. Written atomically: a crash mid-write leaves the previous checkpoint intact.
public struct Checkpoint: Sendable {
    /// The network at the end of the last finished epoch: its layers (of any kind) and loss,
    /// held in `Double` (exactly, for a float32 run).
    public var definition: NetworkDefinition<Double>
    /// The precision the run trains in; ``trainer(_:file:)`` needs a backend of this precision.
    public var precision: Precision
    /// The run's settings; a resumed run keeps them.
    public var configuration: TrainingConfiguration
    /// ``/Backprop/Optimizer/name`` of the optimiser, rebuilt through ``/Backprop/Optimizer/init(name:)``.
    public var optimizerName: String
    /// The optimiser's step count and moment arrays (shaped like the parameters).
    public var optimizerState: OptimizerState
    /// ``/Backprop/LearningRateSchedule/name`` of the schedule, rebuilt through ``/Backprop/LearningRateSchedules/make(_:epochs:)``.
    public var scheduleName: String
    /// ``/Backprop/LearningRateSchedule/state`` of the schedule.
    public var scheduleState: [Double]
    /// The generator, where the next shuffle and dropout mask will come from.
    public var rng: SeededGenerator
    /// One entry per finished epoch.
    public var history: [EpochMetrics]
    /// The best monitored loss so far (early stopping).
    public var bestMonitored: Double
    /// The layers at the best monitored loss, restored when training stops early; nil before the first epoch.
    public var bestLayers: [Layer<Double>]?
    /// Epochs since the monitored loss last improved (early stopping).
    public var epochsWithoutImprovement: Int
    /// Whether early stopping has ended the run.
    public var stopped: Bool
    /// The input scaling the run uses.
    public var scaler: FeatureScaler
    /// Names of the output classes, in output order, if the data has them.
    public var classNames: [String]?
    /// Free-form strings the caller needs to rebuild the run (e.g. the command line's data options).
    public var run: [String: String]

    /// The `format` entry of the file's metadata, checked on load.
    public static let formatName = "backprop-checkpoint"
    /// The layout version written: 2, with the layers' kinds (`kinds` metadata) and, for kinds other
    /// than dense, their settings (`layer_settings`, as in model files). Loading reads 1 (dense layers
    /// only, before kinds) and 2, and refuses others.
    public static let version = 2
    /// The versions this build reads.
    public static let readableVersions = 1...2

    /// The checkpoint of `trainer` as it stands, with the scaling it trains with.
    public init<B: LinearAlgebra>(_ trainer: Trainer<B>, scaler: FeatureScaler, classNames: [String]? = nil,
                                  run: [String: String] = [:]) {
        let s = trainer.state
        definition = s.network.definition.converted(to: Double.self)
        precision = B.Scalar.precision
        configuration = trainer.configuration
        optimizerName = trainer.optimizer.name
        optimizerState = trainer.optimizerState
        scheduleName = trainer.schedule.name
        scheduleState = trainer.schedule.state
        rng = s.rng
        history = s.history
        bestMonitored = s.bestMonitored
        bestLayers = s.bestLayers.map { $0.map { $0.converted(to: Double.self) } }
        epochsWithoutImprovement = s.epochsWithoutImprovement
        stopped = s.stopped
        self.scaler = scaler
        self.classNames = classNames
        self.run = run
    }

    /// The network's layers at the end of the last finished epoch.
    public var layers: [Layer<Double>] { definition.layers }
    /// The network's loss.
    public var loss: Loss { definition.loss }

    /// A trainer that continues this run. The optimiser and schedule are rebuilt by name
    /// (``/Backprop/Optimizer/init(name:)``, ``/Backprop/LearningRateSchedules``); `file` names the checkpoint in errors.
    /// - Throws: ``FileFormatError`` when `B` computes in another precision than the run's.
    public func trainer<B: LinearAlgebra>(_ backend: B.Type, file: String = "checkpoint") throws -> Trainer<B> {
        guard B.Scalar.precision == precision else {
            throw FileFormatError(file: file, field: SafeTensorsReader.metadataField("precision"),
                                  problem: "the run trains in \(precision.rawValue); it resumes only in \(precision.rawValue), not \(B.Scalar.precision.rawValue)")
        }
        guard let optimizer = Optimizer(name: optimizerName) else {
            throw FileFormatError(file: file, field: SafeTensorsReader.metadataField("optimizer"), problem: "unknown optimizer \"\(optimizerName)\"")
        }
        guard let schedule = LearningRateSchedules.make(scheduleName, epochs: configuration.epochs) else {
            throw FileFormatError(file: file, field: SafeTensorsReader.metadataField("schedule"), problem: "unknown schedule \"\(scheduleName)\"")
        }
        var state = TrainerState(network: Network<B>(definition.converted(to: B.Scalar.self)), rng: rng)
        state.history = history
        state.bestMonitored = bestMonitored
        state.bestLayers = bestLayers.map { $0.map { $0.converted(to: B.Scalar.self) } }
        state.epochsWithoutImprovement = epochsWithoutImprovement
        state.stopped = stopped
        do {
            return try Trainer(resuming: state, optimizer: optimizer, optimizerState: optimizerState, schedule: schedule,
                               scheduleState: scheduleState, configuration: configuration)
        } catch let error as OptimizerStateError {
            throw FileFormatError(file: file, field: SafeTensorsReader.metadataField("optimizer"), problem: error.problem)
        }
    }

    /// Writes the checkpoint to `path` atomically (temporary file, fsync, rename).
    public func save(to path: String) throws(FileWriteError) {
        try container().write(to: path)
    }

    /// Reads a checkpoint written by ``save(to:)``; every problem names the file and the field.
    public static func load(path: String) throws(FileFormatError) -> Checkpoint {
        if let head = FileHandle(forReadingAtPath: path).flatMap({ try? $0.read(upToCount: 64) }), FileKind.jsonText(head) != nil {
            let kind = (try? JSONValue.parse(try FileFormatError.contents(of: path), file: path)).flatMap {
                if case .object(let root) = $0 { return FileKind.of(json: root) } else { return nil } } ?? .json
            throw FileFormatError(file: path, field: nil, problem: kind.given(whereWanted: .checkpoint))
        }
        return try Checkpoint(try SafeTensors.read(path: path), file: path)
    }

    /// Decodes checkpoint bytes as ``load(path:)`` reads a file; `file` names the source in errors.
    public static func decode(_ data: Data, file: String) throws(FileFormatError) -> Checkpoint {
        try Checkpoint(try SafeTensors.decode(data, file: file), file: file)
    }

    // MARK: - Layout

    /// Exact numbers as tensors; the rest as JSON strings in the metadata.
    func container() -> SafeTensors {
        var tensors: [String: SafeTensors.Tensor] = [:]
        ParameterTensors.put(layers, prefix: "layers", precision: precision, into: &tensors)
        if let bestLayers { ParameterTensors.put(bestLayers, prefix: "best", precision: precision, into: &tensors) }
        for (slot, arrays) in optimizerState.slots {
            for (k, array) in arrays.enumerated() {
                tensors["optimizer.\(slot).\(k)"] = .init(shape: [array.count], values: array, precision: precision)
            }
        }
        tensors["schedule.state"] = .init(shape: [scheduleState.count], values: scheduleState)
        ParameterTensors.put(scaler, into: &tensors)
        tensors["trainer.best_monitored"] = .init(shape: [1], values: [bestMonitored])
        // The generator's 64-bit words do not fit a Double; store each as two exact 32-bit halves.
        tensors["trainer.rng"] = .init(shape: [8], values: rng.state.flatMap { [Double($0 >> 32), Double($0 & 0xFFFF_FFFF)] })

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        func json<T: Encodable>(_ value: T) -> String { String(decoding: try! encoder.encode(value), as: UTF8.self) }
        var metadata: [String: String] = [
            "format": Self.formatName,
            "version": String(Self.version),
            "precision": precision.rawValue,
            "loss": loss.rawValue,
            "activations": layers.map(\.activation.rawValue).joined(separator: ","),
            "biases": layers.map { $0.bias == nil ? "0" : "1" }.joined(separator: ","),
            "configuration": json(configuration),
            "history": json(history),
            "optimizer": optimizerName,
            "optimizer_step": String(optimizerState.step),
            "optimizer_slots": optimizerState.slots.keys.sorted().joined(separator: ","),
            "optimizer_arrays": String(optimizerState.slots.values.first?.count ?? 0),
            "schedule": scheduleName,
            "scaling_method": scaler.method.rawValue,
            "epochs_without_improvement": String(epochsWithoutImprovement),
            "stopped": stopped ? "1" : "0",
            "run": json(run),
        ]
        metadata.merge(ParameterTensors.kindMetadata(layers)) { $1 }
        if let classNames { metadata["class_names"] = json(classNames) }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    init(_ file: SafeTensors, file path: String) throws(FileFormatError) {
        let reader = SafeTensorsReader(container: file, file: path)
        func field(_ key: String) -> String { SafeTensorsReader.metadataField(key) }
        if let kind = FileKind.of(format: try reader.string("format")), kind != .checkpoint {
            throw reader.fail(field("format"), kind.given(whereWanted: .checkpoint))
        }
        guard try reader.string("format") == Self.formatName else {
            throw reader.fail(field("format"), "not a backprop checkpoint (format \"\(try reader.string("format"))\")")
        }
        guard let version = Int(try reader.string("version")), Self.readableVersions.contains(version) else {
            throw reader.fail(field("version"), Names.unsupportedVersion(try reader.string("version"), readable: Self.readableVersions))
        }
        if let name = file.metadata["precision"] {
            guard let given = Precision(rawValue: name) else {
                throw reader.fail(field("precision"), Names.unknown(name, Precision.self))
            }
            precision = given
        } else {
            precision = .float64  // Checkpoints from before float32 were all float64.
        }
        let loss = try ParameterTensors.loss("loss", reader)
        let activations = try ParameterTensors.activations("activations", reader)
        let biases = try reader.string("biases").split(separator: ",").map { $0 == "1" }
        guard activations.count == biases.count, !activations.isEmpty else {
            throw reader.fail(field("biases"), "expected one entry per layer (\(activations.count) layers)")
        }
        let kinds = try ParameterTensors.kinds("kinds", layers: activations.count, reader)
        let settings = try ParameterTensors.settings(kinds: kinds, reader)
        let layers = try ParameterTensors.layers(prefix: "layers", kinds: kinds, settings: settings, activations: activations, biases: biases, reader)
        definition = try ParameterTensors.network(layers, loss, activationsKey: "activations", lossKey: "loss", reader)
        bestLayers = !file.tensors.keys.contains(where: { $0.hasPrefix("best.") }) ? nil
            : try ParameterTensors.layers(prefix: "best", kinds: kinds, settings: settings, activations: activations, biases: biases, reader)
        if let best = bestLayers, let l = best.indices.first(where: { best[$0].weights.shape != layers[$0].weights.shape }) {
            let shape = { (m: Matrix<Double>) in "[\(m.rows), \(m.columns)]" }
            throw reader.fail(SafeTensors.field("best.\(l).weight", "shape"),
                              "has shape \(shape(best[l].weights)) but layers.\(l).weight has \(shape(layers[l].weights))")
        }
        configuration = try reader.decode(TrainingConfiguration.self, "configuration")
        if let problem = configuration.problem { throw reader.fail(field("configuration"), problem) }
        history = try reader.decode([EpochMetrics].self, "history")
        run = try reader.decode([String: String].self, "run")
        classNames = file.metadata["class_names"] == nil ? nil : try reader.decode([String].self, "class_names")
        optimizerName = try reader.string("optimizer")
        // An optimiser's slots are empty before its first step, and afterwards hold one array per
        // parameter array, each of that array's length: the update loops index them unchecked.
        let lengths = definition.parameterArrayLengths
        let arrays = try reader.integer("optimizer_arrays")
        guard arrays == 0 || arrays == lengths.count else {
            throw reader.fail(field("optimizer_arrays"), "expected 0 or \(lengths.count) (one per parameter array), found \(arrays)")
        }
        var slots: [String: [[Double]]] = [:]
        for slot in try reader.string("optimizer_slots").split(separator: ",").map(String.init) {
            slots[slot] = try (0..<arrays).map { k throws(FileFormatError) in
                try reader.tensor("optimizer.\(slot).\(k)", shape: [lengths[k]]).values
            }
        }
        // Bounded so that the optimiser's `step += 1` cannot overflow and `Double(step)` is exact.
        let step = try reader.integer("optimizer_step")
        guard step < 1 << 53 else { throw reader.fail(field("optimizer_step"), "\(step) steps is beyond any real run") }
        optimizerState = OptimizerState(step: step, slots: slots)
        scheduleName = try reader.string("schedule")
        scheduleState = try reader.tensor("schedule.state").values
        scaler = try ParameterTensors.scaler(methodKey: "scaling_method", inputs: definition.inputCount, reader)
        bestMonitored = try reader.tensor("trainer.best_monitored", shape: [1]).values[0]
        let halves = try reader.tensor("trainer.rng", shape: [8]).values
        guard halves.allSatisfy({ $0 >= 0 && $0 < 0x1p32 && $0 == $0.rounded() }) else {
            throw reader.fail(SafeTensors.field("trainer.rng"), "expected eight 32-bit halves of the generator state")
        }
        let words = (0..<4).map { UInt64(halves[2 * $0]) << 32 | UInt64(halves[2 * $0 + 1]) }
        guard words.contains(where: { $0 != 0 }) else { throw reader.fail(SafeTensors.field("trainer.rng"), "the generator state is all zero") }
        rng = SeededGenerator(state: words)
        epochsWithoutImprovement = try reader.integer("epochs_without_improvement")
        guard epochsWithoutImprovement <= history.count else {
            throw reader.fail(field("epochs_without_improvement"),
                              "\(epochsWithoutImprovement) is more than the \(history.count) epochs in the history")
        }
        stopped = try reader.string("stopped") == "1"
    }
}
