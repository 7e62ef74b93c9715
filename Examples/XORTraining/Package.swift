// swift-tools-version: 6.0
// A training program that uses the Backprop package the way any user's program would:
// as a dependency, through its public API only.
import PackageDescription

let package = Package(
    name: "XORTraining",
    dependencies: [
        .package(name: "Backprop", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "xor-training",
            dependencies: [.product(name: "Backprop", package: "Backprop")],
            path: "Sources/XORTraining"
        ),
    ],
    swiftLanguageModes: [.v6]
)
