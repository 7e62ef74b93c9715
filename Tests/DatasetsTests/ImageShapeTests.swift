// ImageShapeTests.swift: IDX and `.npy` files give their samples an image shape (C×H×W); CSV rows and 2-D arrays give none.
import Foundation
import Testing

@testable import Datasets

/// The image shape a data file gives each sample, read from its header: `[n, h, w]` is 1×h×w and
/// `[n, c, h, w]` is c×h×w, in IDX and `.npy` files alike, mapped or loaded whole, kept by subsets.
/// The files are written by hand from the formats' definitions (Fixtures.swift).
@Suite struct ImageShapeTests {
    @Test func theRuleForEachRank() {
        #expect(Dataset.imageShape(ofArray: [7, 5]) == nil)
        #expect(Dataset.imageShape(ofArray: [7, 4, 5]) == [1, 4, 5])
        #expect(Dataset.imageShape(ofArray: [7, 3, 4, 5]) == [3, 4, 5])
        #expect(Dataset.imageShape(ofArray: [7, 2, 3, 4, 5]) == nil)
    }

    @Test func idxImagesGiveOneChannel() throws {
        let dir = try TemporaryDirectory()
        let labels = try dir.write("l.idx", idx(dimensions: [3], data: [0, 1, 2]))
        // 3 images of 2×4, raw (mapped) and gzip (read whole).
        let raw = try dir.write("i.idx", idx(dimensions: [3, 2, 4], data: Array(0..<24)))
        let packed = try dir.writeGzip("i.idx.gz", idx(dimensions: [3, 2, 4], data: Array(0..<24)))
        for images in [raw, packed] {
            let data = try IDX.loadDataset(images: images, labels: labels)
            #expect(data.imageShape == [1, 2, 4] && data.featureCount == 8, "\(images)")
            #expect(data.subset([2, 0]).imageShape == [1, 2, 4])
        }
        let flat = try dir.write("f.idx", idx(dimensions: [3, 8], data: Array(0..<24)))
        #expect(try IDX.loadDataset(images: flat, labels: labels).imageShape == nil)
    }

    @Test func npyArraysOfThreeAndFourDimensionsStayMapped() throws {
        let dir = try TemporaryDirectory()
        let y = try dir.write("y.npy", npy("<i8", shape: [2], data: bytes([Int64(0), 1])))
        let values = (0..<24).map { Float($0).bitPattern }
        for (shape, expected) in [([2, 3, 4], [1, 3, 4]), ([2, 3, 2, 2], [3, 2, 2]), ([2, 12], nil) as ([Int], [Int]?)] {
            let x = try dir.write("x\(shape.count).npy", npy("<f4", shape: shape, data: bytes(values)))
            let data = try NumPy.loadDataset(features: x, labels: y)
            #expect(data.imageShape == expected && data.featureCount == 12, "\(shape)")
            guard case .mapped = data.features else { Issue.record("\(shape): not mapped"); continue }
        }
        let archive = try dir.write("d.npz", zip([
            ("x.npy", npy("<f4", shape: [2, 3, 2, 2], data: bytes(values)), false),
            ("y.npy", npy("<i8", shape: [2], data: bytes([Int64(0), 1])), true),
        ]))
        #expect(try NumPy.loadDataset(npz: archive).imageShape == [3, 2, 2])
    }

    @Test func csvRowsHaveNoneAndAShapeMustFitTheFeatures() throws {
        let dir = try TemporaryDirectory()
        let csv = try dir.write("d.csv", text: "a,b,label\n1,2,0\n3,4,1\n")
        #expect(try CSV.loadDataset(csv, hasHeader: true, label: .last).imageShape == nil)
        let error = try datasetError {
            try Dataset(features: .doubles([1, 2, 3, 4]), labels: [0, 1], featureCount: 2, classCount: 2, imageShape: [1, 1, 3])
        }
        #expect("\(error)".contains("image shape 1×1×3 is not C×H×W of 2 features"), "\(error)")
    }
}
