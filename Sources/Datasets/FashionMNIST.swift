// FashionMNIST.swift: Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017): 28×28 grey-scale images of clothing in 10
/// classes, 60,000 for training and 10,000 for testing, in the IDX format of MNIST.
///
/// On Debian the package `dataset-fashion-mnist` installs it in `defaultDirectory`.
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` package installs the four IDX files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// Image height and width in pixels; `featureCount` is their product, 784.
    public static let imageRows = 28, imageColumns = 28
    /// The names of classes 0 to 9, as in the data set's documentation.
    public static let classNames: [String] = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Loads the training and test sets from `directory`, which must hold
    /// `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
    /// `t10k-labels-idx1-ubyte`, each gzip-compressed with a `.gz` suffix or uncompressed.
    ///
    /// - Returns: data sets with `featureCount` 784 (pixels row by row, 0 = background, 255 =
    ///   full intensity, kept as bytes) and `classCount` 10; 60,000 and 10,000 samples in the
    ///   official distribution.
    /// - Throws: `DatasetError` `.datasetNotFound` saying where it looked and how to install the
    ///   data if a file is missing; any error of `IDX.loadDataset`; `.badHeader` if the images are
    ///   not 28×28.
    public static func load(directory: String = defaultDirectory) throws -> (train: Dataset, test: Dataset) {
        let train = try loadSplit("train", directory: directory)
        let test = try loadSplit("t10k", directory: directory)
        return (train, test)
    }

    private static func loadSplit(_ prefix: String, directory: String) throws -> Dataset {
        let images = try locate("\(prefix)-images-idx3-ubyte", in: directory)
        let labels = try locate("\(prefix)-labels-idx1-ubyte", in: directory)
        let shape = try IDX.shape(of: images)
        guard shape.count == 3, shape[1] == imageRows, shape[2] == imageColumns else {
            throw DatasetError(
                .badHeader, file: images, at: .byte(4),
                "Fashion-MNIST images must be N×\(imageRows)×\(imageColumns), but this file declares \(IDX.formatShape(shape))")
        }
        return try IDX.loadDataset(images: images, labels: labels, classCount: classNames.count)
    }

    /// The path of `name.gz` or, failing that, `name` in `directory`.
    private static func locate(_ name: String, in directory: String) throws -> String {
        let base = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        for candidate in [base + ".gz", base] where access(candidate, F_OK) == 0 {
            return candidate
        }
        throw DatasetError(
            .datasetNotFound, file: directory,
            "Fashion-MNIST not found: looked for \(base).gz and \(base). `apt-get install dataset-fashion-mnist` provides it in \(defaultDirectory); or pass the directory holding the four IDX files to FashionMNIST.load(directory:)")
    }
}
