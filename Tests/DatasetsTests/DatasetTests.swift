// DatasetTests.swift: data sets: features, labels, subsets, batches and scaling.
import Foundation
import Testing

import Datasets

@Suite("Dataset and FeatureScaler")
struct DatasetTests {
    /// Column 0 is 1, 2, 3, 4; column 1 is constant 10.
    let table = try! Dataset(
        features: .doubles([1, 10, 2, 10, 3, 10, 4, 10]), labels: [0, 1, 0, 1], featureCount: 2, classCount: 2)

    @Test func standardizeByHand() {
        let scaler = FeatureScaler.fit(.standardize, on: table)
        // Mean of 1...4 is 2.5; population variance ((1.5² + 0.5²)·2)/4 = 1.25.
        #expect(scaler.method == .standardize)
        #expect(scaler.offset == [2.5, 10])
        #expect(abs(scaler.scale[0] - 1 / 1.25.squareRoot()) < 1e-15)
        #expect(scaler.scale[1] == 1)  // σ = 0: left unscaled
        let scaled = table.features(rows: 0..<4, scaler: scaler)
        // Column 0 becomes (x − 2.5)/√1.25: mean 0, population variance 1.
        let column0 = stride(from: 0, to: 8, by: 2).map { scaled[$0] }
        #expect(abs(column0.reduce(0, +)) < 1e-12)
        #expect(abs(column0.map { $0 * $0 }.reduce(0, +) / 4 - 1) < 1e-12)
        #expect(stride(from: 1, to: 8, by: 2).allSatisfy { scaled[$0] == 0 })
    }

    @Test func unitRangeByHand() {
        let doubles = FeatureScaler.fit(.unitRange, on: table)
        #expect(doubles.offset == [1, 10])  // the minima
        #expect(doubles.scale == [1.0 / 3.0, 1])  // 1/(4 − 1); constant feature → 1
        #expect(close(table.features(rows: [3, 0], scaler: doubles), [1, 0, 0, 0]))

        let bytes = try! Dataset(features: .bytes([0, 51, 255, 51]), labels: [0, 0], featureCount: 2, classCount: 1)
        let unit = FeatureScaler.fit(.unitRange, on: bytes)
        #expect(unit.offset == [0, 0])
        #expect(unit.scale == [1.0 / 255, 1.0 / 255])  // the byte range, not the observed one
        #expect(close(bytes.features(rows: [1, 0], scaler: unit), [1, 0.2, 0, 0.2]))

        let standard = FeatureScaler.fit(.standardize, on: bytes)
        #expect(standard.offset == [127.5, 51])  // column 0 is {0, 255}: mean 127.5, σ 127.5
        #expect(standard.scale == [1 / 127.5, 1])
    }

    @Test func noneAndIdentity() {
        let none = FeatureScaler.fit(.none, on: table)
        #expect(none.offset == [0, 0] && none.scale == [1, 1])
        #expect(FeatureScaler.identity(featureCount: 3) == FeatureScaler(method: .none, offset: [0, 0, 0], scale: [1, 1, 1]))
    }

    @Test func statisticsComeFromTheTrainingSetOnly() throws {
        let all = try Dataset(features: .doubles([0, 2, 10]), labels: [0, 1, 0], featureCount: 1, classCount: 2)
        let training = all.subset([0, 1])
        let test = all.subset([2])
        let standard = FeatureScaler.fit(.standardize, on: training)
        // Training values {0, 2}: mean 1, σ 1. Including the test value 10 would give mean 4.
        #expect(standard.offset == [1])
        #expect(standard.scale == [1])
        #expect(test.features(rows: [0], scaler: standard) == [9])

        let unit = FeatureScaler.fit(.unitRange, on: training)
        // min 0, max 2: the test value 10 maps to 5, outside [0, 1], and is not clipped.
        #expect(test.features(rows: [0], scaler: unit) == [5])
    }

    @Test func copyFeaturesWritesExactlyTheScaledRows() {
        let scaler = FeatureScaler(method: .standardize, offset: [10, 20], scale: [0.5, 0.25])
        for storage in [FeatureStorage.bytes([10, 20, 30, 40, 50, 60]), .doubles([10, 20, 30, 40, 50, 60])] {
            let data = try! Dataset(features: storage, labels: [0, 1, 2], featureCount: 2, classCount: 3)
            var buffer = [Double](repeating: -7, count: 8)
            buffer.withUnsafeMutableBufferPointer { data.copyFeatures(rows: [2, 0, 2], scaler: scaler, into: $0) }
            // Row 2 is (50, 60) → ((50−10)/2, (60−20)/4) = (20, 10); row 0 is (10, 20) → (0, 0).
            #expect(buffer == [20, 10, 0, 0, 20, 10, -7, -7])

            buffer.withUnsafeMutableBufferPointer { data.copyFeatures(rows: 1..<3, scaler: scaler, into: $0) }
            #expect(buffer == [10, 5, 20, 10, 20, 10, -7, -7])
        }
    }

    @Test func oneHotLabels() {
        let data = try! Dataset(features: .bytes([1, 2, 3]), labels: [2, 0, 1], featureCount: 1, classCount: 3)
        var buffer = [Double](repeating: 5, count: 7)
        buffer.withUnsafeMutableBufferPointer { data.copyOneHotLabels(rows: [0, 2], into: $0) }
        #expect(buffer == [0, 0, 1, 0, 1, 0, 5])
        #expect(data.oneHotLabels(rows: [1]) == [1, 0, 0])
        #expect(data.labelCounts == [1, 1, 1])
    }

    @Test func subsetKeepsOrderAndStorage() {
        let data = try! Dataset(features: .bytes([1, 2, 3, 4, 5, 6]), labels: [0, 1, 2], featureCount: 2, classCount: 4)
        let picked = data.subset([2, 0, 2])
        #expect(picked.count == 3)
        #expect(picked.features == .bytes([5, 6, 1, 2, 5, 6]))
        #expect(picked.labels == [2, 0, 2])
        #expect(picked.classCount == 4)
        #expect(picked.labelCounts == [1, 0, 2, 0])
        #expect(data.subset([]).count == 0)
        #expect(picked.feature(row: 0, 1) == 6)
    }

    @Test func initializerValidates() {
        let tooFew = #expect(throws: DatasetError.self) {
            try Dataset(features: .doubles([1, 2, 3]), labels: [0, 1], featureCount: 2, classCount: 2, source: "mem")
        }
        #expect(tooFew?.kind == .invalidArgument)
        #expect(tooFew?.file == "mem")

        let badLabel = #expect(throws: DatasetError.self) {
            try Dataset(features: .bytes([1, 2]), labels: [0, 2], featureCount: 1, classCount: 2)
        }
        #expect(badLabel?.kind == .badLabel)
        #expect(badLabel?.position == .sample(1))

        let nan = #expect(throws: DatasetError.self) {
            try Dataset(features: .doubles([1, 2, .nan, 4]), labels: [0, 1], featureCount: 2, classCount: 2)
        }
        #expect(nan?.kind == .nonFiniteValue)
        #expect(nan?.position == .sample(1))

        #expect(throws: DatasetError.self) {
            try Dataset(features: .bytes([1]), labels: [0], featureCount: 1, classCount: 0)
        }
        #expect(throws: DatasetError.self) {
            try Dataset(features: .bytes([]), labels: [], featureCount: 0, classCount: 1)
        }
    }

    @Test func scalerCodableRoundTripAndValidation() throws {
        let scaler = FeatureScaler.fit(.standardize, on: table)
        let json = try JSONEncoder().encode(scaler)
        #expect(try JSONDecoder().decode(FeatureScaler.self, from: json) == scaler)

        let mismatched = Data(#"{"method":"standardize","offset":[0,1],"scale":[1]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FeatureScaler.self, from: mismatched) }
        let zeroScale = Data(#"{"method":"unitRange","offset":[0],"scale":[0]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FeatureScaler.self, from: zeroScale) }
    }

    @Test func errorDescriptions() {
        #expect(DatasetError(.truncated, file: "a.idx", at: .byte(16), "short").description == "a.idx: byte 16: short")
        #expect(DatasetError(.notANumber, file: "t.csv", at: .field(line: 14, field: 3), "field 3 (\"abc\") is not a number").description
            == "t.csv:14: field 3 (\"abc\") is not a number")
        #expect(DatasetError(.emptyFile, file: "e", "empty").description == "e: empty")
    }
}
