// swift-tools-version: 6.0
// libFuzzer targets for every reader of outside input, kept out of the root package so that no
// sanitizer or fuzzer flag ever reaches it. Build and run them with `make fuzz` (see Fuzz/run.sh).
import PackageDescription

/// One executable per reader: Sources/fuzz-<name>/main.swift.
let readers = ["idx", "idx-dataset", "csv-dataset", "csv-features", "training-case", "safetensors", "saved-model", "checkpoint", "npy", "npz"]

let package = Package(
    name: "BackpropFuzz",
    dependencies: [
        .package(name: "Backprop", path: ".."),
    ],
    targets: [
        // Starts libFuzzer and gives path-based readers a file to read.
        .target(name: "FuzzSupport"),
    ] + readers.map { name in
        .executableTarget(
            name: "fuzz-\(name)",
            dependencies: [
                "FuzzSupport",
                .product(name: "Backprop", package: "Backprop"),
                .product(name: "Datasets", package: "Backprop"),
                .product(name: "ModelFiles", package: "Backprop"),
            ]
        )
    },
    swiftLanguageModes: [.v6]
)
