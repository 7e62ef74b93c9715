// swift-tools-version: 6.0
// The command line's default Fashion-MNIST run, written as a program against the library.
import PackageDescription

let package = Package(
    name: "FashionMNISTTraining",
    dependencies: [
        .package(name: "Backprop", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "fashion-mnist-training",
            dependencies: [
                .product(name: "Backprop", package: "Backprop"),
                .product(name: "Datasets", package: "Backprop"),
                .product(name: "ModelFiles", package: "Backprop"),
            ],
            path: "Sources/FashionMNISTTraining"
        ),
    ],
    swiftLanguageModes: [.v6]
)
