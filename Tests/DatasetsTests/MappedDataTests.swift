// MappedDataTests.swift: memory-mapped data read in place, in every element type, with the resident budget kept.
import Foundation
import Testing

@testable import Datasets

/// 4 samples × 3 features, each exactly a float32 (and every sum and product below exact).
private let values: [Float] = [0.5, -1, 2, 0.25, 7, -0.25, 3, 0, 1.5, -2, 4, 8]
private let labels: [Int64] = [2, 0, 1, 2]
private let float32 = values.map(\.bitPattern), float64 = values.map { Double($0).bitPattern }

/// Features memory-mapped from `.npy` files, stored `.npz` members and raw IDX files: gathered in
/// any order, subset as views, scaled and checked as the in-memory storages are, and what is loaded
/// whole said so. The files are written by hand from the formats' definitions (Fixtures.swift).
@Suite("Memory-mapped features")
struct MappedDataTests {
    /// `x.npy` holding `values` as `descr` (from `data`) and `y.npy` holding `labels` as int64.
    func pair(_ dir: TemporaryDirectory, _ descr: String, shape: [Int] = [4, 3], fortran: Bool = false,
              _ data: [UInt8]) throws -> (x: String, y: String) {
        (try dir.write("x.npy", npy(descr, shape: shape, fortran: fortran, data: data)),
         try dir.write("y.npy", npy("<i8", shape: [shape[0]], data: bytes(Array(labels.prefix(shape[0]))))))
    }

    @Test func npyFeaturesAreMappedAndGatheredInAnyOrderInBothByteOrders() throws {
        for bigEndian in [false, true] {
            let dir = try TemporaryDirectory()
            let (x, y) = try pair(dir, bigEndian ? ">f4" : "<f4", bytes(float32, bigEndian: bigEndian))
            let data = try NumPy.loadDataset(features: x, labels: y)
            guard case .mapped(let mapped) = data.features else { Issue.record("not mapped: \(data.features)"); continue }
            #expect(mapped.dtypeName == "float32" && mapped.path == x && mapped.rowCount == 4)
            #expect(data.features == .doubles(values.map(Double.init)))
            #expect(data.count == 4 && data.featureCount == 3 && data.classCount == 3 && data.labels == [2, 0, 1, 2])

            // Row 3 (−2, 4, 8) → ((−2 − 1)·0.5, (4 − 2)·0.25, (8 − 4)·2); row 0 (0.5, −1, 2) → (−0.25, −0.75, −4).
            let scaler = FeatureScaler(method: .standardize, offset: [1, 2, 4], scale: [0.5, 0.25, 2])
            let expected: [Double] = [-1.5, 0.5, 8, -0.25, -0.75, -4, -1.5, 0.5, 8, -7]
            var doubles = [Double](repeating: -7, count: 10), floats = [Float](repeating: -7, count: 10)
            doubles.withUnsafeMutableBufferPointer { data.copyFeatures(rows: [3, 0, 3], scaler: scaler, into: $0) }
            floats.withUnsafeMutableBufferPointer { data.copyFeatures(rows: [3, 0, 3], scaler: scaler, into: $0) }
            #expect(doubles == expected, "big-endian \(bigEndian)")
            #expect(floats == expected.map(Float.init), "big-endian \(bigEndian)")
        }
    }

    @Test func subsetsOfMappedFeaturesAreViews() throws {
        let dir = try TemporaryDirectory()
        let (x, y) = try pair(dir, "<f4", bytes(float32))
        let data = try NumPy.loadDataset(features: x, labels: y)
        let part = data.subset([3, 1, 2]).subset([2, 0])  // rows 2 and 3 of the file
        guard case .mapped = part.features else { Issue.record("a subset was copied: \(part.features)"); return }
        #expect(part.features == .doubles([3, 0, 1.5, -2, 4, 8]))
        #expect(part.labels == [1, 2] && part.count == 2 && part.feature(row: 1, 2) == 8)
        #expect(part.features(rows: [1, 0], scaler: .identity(featureCount: 3)) == [-2, 4, 8, 3, 0, 1.5])
    }

    @Test func scalersFitOnMappedFeaturesByHand() throws {
        let dir = try TemporaryDirectory()
        let (x, y) = try pair(dir, "<f4", bytes(float32))
        let data = try NumPy.loadDataset(features: x, labels: y)
        let standard = FeatureScaler.fit(.standardize, on: data)
        // Column means: (0.5 + 0.25 + 3 − 2)/4, (−1 + 7 + 0 + 4)/4, (2 − 0.25 + 1.5 + 8)/4.
        #expect(standard.offset == [0.4375, 2.5, 2.8125])
        // Column 1: deviations −3.5, 4.5, −2.5, 1.5; population variance (12.25 + 20.25 + 6.25 + 2.25)/4 = 10.25.
        #expect(abs(standard.scale[1] - 1 / 10.25.squareRoot()) < 1e-15)
        let unit = FeatureScaler.fit(.unitRange, on: data)
        #expect(unit.offset == [-2, -1, -0.25])  // the minima; the maxima are 3, 7 and 8
        #expect(unit.scale == [1.0 / 5, 1.0 / 8, 1.0 / 8.25])
        let inMemory = try Dataset(features: .doubles(values.map(Double.init)), labels: [2, 0, 1, 2], featureCount: 3, classCount: 3)
        #expect(standard == FeatureScaler.fit(.standardize, on: inMemory))
    }

    @Test func nonFiniteMappedFeaturesAreRefusedWithTheSample() throws {
        let dir = try TemporaryDirectory()
        var withInfinity = float32
        withInfinity[2 * 3 + 1] = Float.infinity.bitPattern
        let (x, y) = try pair(dir, "<f4", bytes(withInfinity))
        let error = try datasetError { try NumPy.loadDataset(features: x, labels: y) }
        #expect(error.kind == .nonFiniteValue && error.description == "\(x) + \(y): sample 2: feature 1 is inf")

        // float16, read by the general path: 0x7E00 is a NaN, 0x3C00 is 1.
        let (h, hy) = try pair(dir, "<f2", shape: [2, 2], bytes([UInt16(0x3C00), 0x3C00, 0x7E00, 0x3C00]))
        let nan = try datasetError { try NumPy.loadDataset(features: h, labels: hy) }
        #expect(nan.kind == .nonFiniteValue && nan.description == "\(h) + \(hy): sample 1: feature 0 is nan")
    }

    @Test func everyElementTypeIsReadInPlace() throws {
        let dir = try TemporaryDirectory()
        let (i, iy) = try pair(dir, ">i2", shape: [2, 2], bytes([Int16(-3), 300, 7, -32768], bigEndian: true))
        let shorts = try NumPy.loadDataset(features: i, labels: iy)
        #expect(shorts.features == .doubles([-3, 300, 7, -32768]) && !shorts.features.holdsBytes)
        #expect(shorts.features(rows: [1, 0], scaler: .identity(featureCount: 2)) == [7, -32768, -3, 300])

        let (b, by) = try pair(dir, "|b1", shape: [2, 2], [0, 1, 2, 0])
        let flags = try NumPy.loadDataset(features: b, labels: by)
        #expect(flags.features == .bytes([0, 1, 1, 0]))  // bytes, any non-zero is true
        #expect(FeatureScaler.fit(.unitRange, on: flags).scale == [1.0 / 255, 1.0 / 255])  // the byte range

        let (u, uy) = try pair(dir, "|u1", shape: [2, 2], [9, 255, 0, 128])
        let pixels = try NumPy.loadDataset(features: u, labels: uy)
        guard case .mapped = pixels.features else { Issue.record("uint8 not mapped"); return }
        #expect(pixels.features == .bytes([9, 255, 0, 128]) && pixels.features != .doubles([9, 255, 0, 128]))
        #expect(pixels.features(rows: [1], scaler: FeatureScaler(method: .unitRange, offset: [0, 0], scale: [0.5, 0.25])) == [0, 32])
    }

    @Test func fortranOrderIsLoadedWholeAndSaysSo() throws {
        let dir = try TemporaryDirectory()
        // Column by column: the 4 values of feature 0, then feature 1, then feature 2.
        let columns = (0..<3).flatMap { j in (0..<4).map { i in float64[i * 3 + j] } }
        let (x, y) = try pair(dir, "<f8", fortran: true, bytes(columns))
        var notices: [String] = []
        let data = try NumPy.loadDataset(features: x, labels: y) { notices.append($0) }
        guard case .doubles(let loaded) = data.features else { Issue.record("not loaded whole: \(data.features)"); return }
        #expect(loaded == values.map(Double.init))
        #expect(notices == ["\(x): the features are in Fortran order, so they are loaded whole into memory, reordered (96 bytes); "
                            + "save them in C order (np.ascontiguousarray) to have them read in place"])

        let (c, cy) = try pair(dir, "<f8", bytes(float64))
        _ = try NumPy.loadDataset(features: c, labels: cy) { notices.append($0) }
        #expect(notices.count == 1, "C order is read in place, silently")
    }

    @Test func storedNpzMembersAreMappedAndCompressedOnesLoadedWhole() throws {
        let dir = try TemporaryDirectory()
        let x = npy("<f8", shape: [4, 3], data: bytes(float64)), y = npy("<i8", shape: [4], data: bytes(labels))
        var notices: [String] = []
        // Stored: the float64 data starts 35 + 128 bytes into the archive, not 8-byte aligned.
        let stored = try dir.write("stored.npz", zip([("x.npy", x, false), ("y.npy", y, false)]))
        let mapped = try NumPy.loadDataset(npz: stored) { notices.append($0) }
        guard case .mapped = mapped.features else { Issue.record("a stored member was not mapped"); return }
        #expect(mapped.features == .doubles(values.map(Double.init)) && mapped.labels == [2, 0, 1, 2] && notices.isEmpty)
        #expect(mapped.features(rows: [1], scaler: .identity(featureCount: 3)) == [0.25, 7, -0.25])

        let deflated = try dir.write("deflated.npz", zip([("x.npy", x, true), ("y.npy", y, true)]))
        let whole = try NumPy.loadDataset(npz: deflated) { notices.append($0) }
        guard case .doubles(let loaded) = whole.features else { Issue.record("not loaded whole"); return }
        #expect(loaded == values.map(Double.init))
        #expect(notices == ["\(deflated): array 'x' is compressed, so the data set is loaded whole into memory (\(x.count) bytes inflated; "
                            + "store it uncompressed, with np.savez, to have it read in place)"])

        var damaged = try zip([("x.npy", x, false), ("y.npy", y, false)])
        damaged[35 + 128 + 5] ^= 0x01  // a bit of x's data
        let path = try dir.write("damaged.npz", damaged)
        let error = try datasetError { try NumPy.loadDataset(npz: path) }
        #expect(error.kind == .corruptCompression && error.description.hasSuffix("member 'x.npy': CRC-32 mismatch: the member is damaged"))
    }

    @Test func rawIDXImagesAreMappedAndGzipOnesRead() throws {
        let dir = try TemporaryDirectory()
        let pixels: [UInt8] = [0, 255, 3, 4, 10, 20, 30, 40, 7, 7, 7, 9]
        let labelFile = try dir.write("labels", idx(dimensions: [3], data: [1, 0, 1]))
        let raw = try IDX.loadDataset(images: try dir.write("images", idx(dimensions: [3, 2, 2], data: pixels)), labels: labelFile)
        let gzip = try IDX.loadDataset(images: try dir.writeGzip("images.gz", idx(dimensions: [3, 2, 2], data: pixels)), labels: labelFile)
        guard case .mapped = raw.features, case .bytes = gzip.features else { Issue.record("\(raw.features), \(gzip.features)"); return }
        #expect(raw.features == .bytes(pixels) && raw.features == gzip.features)
        #expect(FeatureScaler.fit(.standardize, on: raw) == FeatureScaler.fit(.standardize, on: gzip))
        // Column 0 is 0, 10, 7: mean 17/3.
        #expect(FeatureScaler.fit(.standardize, on: raw).offset[0] == 17.0 / 3)
    }

    /// A sysfs attribute: a regular file of 4096 bytes that cannot be mapped.
    static let unmappable = "/sys/kernel/mm/transparent_hugepage/enabled"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: unmappable), "needs \(unmappable)"))
    func aFileThatCannotBeMappedIsAClearError() throws {
        let error = try datasetError { try NPYArray(contentsOf: Self.unmappable) }
        #expect(error == DatasetError(.unreadable, file: Self.unmappable, "cannot map the file into memory: No such device"))
    }

    /// The resident part of a mapping stays near the mapping's budget (set to 32 MiB) however much of it is read:
    /// 96 MiB of images read in order three times and gathered once in shuffled order leave at most
    /// half of it resident (the kernel's own count, `/proc/self/smaps`).
    @Test func aMappingReadWholeStaysMostlyNotResident() throws {
        let budget = MappedFile.residentBudget.exchange(32 << 20, ordering: .relaxed)  // The machine's quarter would keep all 96 MiB.
        defer { MappedFile.residentBudget.store(budget, ordering: .relaxed) }
        let dir = try TemporaryDirectory()
        let (rows, width) = (24_576, 4_096)  // 96 MiB
        let images = try dir.write("images", idx(dimensions: [UInt32(rows), UInt32(width)], data: [UInt8](repeating: 7, count: rows * width)))
        let set = try IDX.loadDataset(images: images, labels: try dir.write("labels", idx(dimensions: [UInt32(rows)], data: [UInt8](repeating: 0, count: rows))))
        let scaler = FeatureScaler.fit(.standardize, on: set)  // two passes in order
        let afterPasses = try resident(images)
        #expect(afterPasses <= rows * width / 2, "\(afterPasses) bytes resident after the scaler's passes")
        var order = Array(0..<rows)
        order.shuffle()
        var batch = [Float](repeating: 0, count: 256 * width)
        for start in stride(from: 0, to: rows, by: 256) {
            batch.withUnsafeMutableBufferPointer { set.copyFeatures(rows: order[start..<(start + 256)], scaler: scaler, into: $0) }
        }
        let afterGathering = try resident(images)
        #expect(afterGathering <= rows * width / 2, "\(afterGathering) bytes resident after a shuffled pass")
        withExtendedLifetime(set) {}
    }

    /// Bytes of `path` mapped and resident in this process, from `/proc/self/smaps`.
    func resident(_ path: String) throws -> Int {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        // Read to the end: /proc files have no size, which whole-file readers may trust.
        let smaps = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps")).readDataToEndOfFile()
        let lines = String(decoding: smaps, as: UTF8.self).split(separator: "\n")
        var inFile = false, total = 0
        for line in lines {
            let first = line.prefix { $0 != " " }
            if first.contains("-") && first.allSatisfy({ $0.isHexDigit || $0 == "-" }) { inFile = line.hasSuffix(" " + real) }
            if inFile, line.hasPrefix("Rss:"), let kB = Int(line.split(separator: " ")[1]) { total += kB * 1024 }
        }
        return total
    }
}
