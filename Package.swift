// swift-tools-version: 6.1
// Dense neural networks trained with backpropagation, every matrix product in OpenBLAS.
import PackageDescription

let package = Package(
    name: "Backprop",
    products: [
        .library(name: "Backprop", targets: ["Backprop"]),
        .library(name: "Linalg", targets: ["Linalg"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "NumPyFormat", targets: ["NumPyFormat"]),
        .library(name: "ProtobufWire", targets: ["ProtobufWire"]),
        .library(name: "ModelFiles", targets: ["ModelFiles"]),
        .library(name: "TensorBoard", targets: ["TensorBoard"]),
        // Data-parallel training over MPI; empty unless the MPI trait is on.
        .library(name: "BackpropMPI", targets: ["BackpropMPI"]),
        .executable(name: "backprop", targets: ["BackpropTool"]),
        .executable(name: "backprop-bench", targets: ["BackpropBench"]),
    ],
    // Off by default: a build without it compiles and links nothing of MPI.
    traits: [
        .trait(name: "MPI", description: "Data-parallel training across processes and machines with Open MPI "
            + "(`backprop train --distributed` under mpirun); needs Debian's libopenmpi-dev."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        // `make docs` only (the generate-documentation command); it adds no code to any target.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", exact: "1.5.0"),
    ],
    targets: [
        // C interfaces from Debian packages, found through pkg-config.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Open MPI's mpi.h, used only with the MPI trait.
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]
        ),

        // Element-wise kernels (activations, losses, optimiser updates, scaling) in float and double,
        // compiled for AVX-512, AVX2+FMA and baseline x86-64 and picked at run time; Kernels wraps them.
        .target(name: "CKernels"),
        .target(name: "Kernels", dependencies: ["CKernels"]),
        // Matrices, the BLAS and reference backends, LAPACK solvers.
        .target(name: "Linalg", dependencies: ["CBLAS", "Kernels"]),
        // Arrays printed exactly as NumPy prints them.
        .target(name: "NumPyFormat"),
        // IDX and CSV readers, scaling, batching.
        .target(name: "Datasets", dependencies: ["CZlib", "Kernels"]),
        // Activations, losses, layers, networks, optimisers, trainer, gradient and vector checks.
        .target(name: "Backprop", dependencies: ["Linalg", "Datasets", "Kernels"]),
        // What is written and read: model files (JSON, safetensors), checkpoints, case files, atomic
        // writes, and the models exported for other frameworks (ONNX graphs, PyTorch state dicts).
        .target(name: "ModelFiles", dependencies: ["Backprop", "Datasets", "ProtobufWire"]),
        // The Protocol Buffers wire format, encoding only (for ONNX models and TensorBoard events).
        .target(name: "ProtobufWire"),
        // TensorBoard event files (TFRecord framing, scalar summaries).
        .target(name: "TensorBoard", dependencies: ["ProtobufWire"]),
        // Backprop's GradientReduction over MPI_Allreduce (sources under `#if MPI`).
        .target(name: "BackpropMPI", dependencies: ["Backprop", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),

        .executableTarget(
            name: "BackpropTool",
            dependencies: [
                "Backprop", "ModelFiles", "Datasets", "NumPyFormat", "TensorBoard",
                .target(name: "BackpropMPI", condition: .when(traits: ["MPI"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Counts the bench's heap allocations (replaces malloc in the one binary that links it).
        .target(name: "CMallocCounter"),
        // The machine's FMA peak, from independent FMA chains in vector registers (the bench only).
        .target(name: "CFMAProbe"),
        .executableTarget(name: "BackpropBench", dependencies: ["Backprop", "ModelFiles", "Linalg", "Datasets", "CMallocCounter", "CFMAProbe"]),

        // Tolerances and the shared test-vector loader, used by every test target.
        .target(name: "TestSupport", dependencies: ["Backprop", "ModelFiles", "Datasets"], path: "Tests/TestSupport"),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg", "TestSupport"]),
        .testTarget(name: "NumPyFormatTests", dependencies: ["NumPyFormat"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "Linalg"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "BackpropTests", dependencies: ["Backprop", "ModelFiles", "Datasets", "TestSupport"]),
        .testTarget(name: "ModelFilesTests", dependencies: ["ModelFiles", "Backprop", "Datasets", "TestSupport"]),
        .testTarget(name: "BackpropToolTests", dependencies: ["Backprop", "ModelFiles", "Datasets", "ProtobufWire", "TensorBoard", "TestSupport"]),
        // Every code listing of the DocC articles, compiled and run, and checked to be the article's text.
        .testTarget(name: "DocumentationTests", dependencies: ["Backprop", "ModelFiles", "Datasets", "NumPyFormat", "TestSupport"]),
        // `mpirun` runs of the tool (sources under `#if MPI`: `make test-mpi`).
        .testTarget(name: "DistributedTests", dependencies: ["Backprop", "ModelFiles", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
