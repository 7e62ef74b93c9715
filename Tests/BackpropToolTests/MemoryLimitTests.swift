// MemoryLimitTests.swift: `backprop train` on a float32 `.npy` more than twice its memory cgroup's limit.
import Backprop
import ModelFiles
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `backprop train` on a float32 `.npy` more than twice the memory it is allowed (a memory cgroup
/// of `scripts/memory-limit.sh`: page cache counted, no swap) completes, with the weights of a run
/// without the limit. Skipped, saying why, where no memory cgroup can be made (not root, no controller).
@Suite(.serialized, .enabled(if: MemoryLimit.unavailable == nil, Comment(rawValue: MemoryLimit.unavailable ?? "")))
struct MemoryLimitTests {
    /// 128 MiB for the training process, page cache and all.
    static let limit = 128 << 20
    /// 72,000 samples of 1,024 float32 features: 294,912,000 bytes, 2.2 times the limit.
    static let rows = 72_000, features = 1_024

    @Test func trainingOnDataTwiceTheMemoryLimitMatchesAnUnlimitedRun() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let x = dir.appendingPathComponent("x.npy").path, y = dir.appendingPathComponent("y.npy").path
        try Self.writeData(features: x, labels: y)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: x)[.size] as? Int)
        #expect(size >= 2 * Self.limit, "the data file is \(size) bytes, less than twice the \(Self.limit)-byte limit")
        // Out of the page cache, so that the limited run reads the file into its own cgroup's memory.
        try Self.evict(x)

        let train = ["train", "--data", x, "--labels", y, "--hidden", "16", "--epochs", "1"]
        let limited = try MemoryLimit.run([String(Self.limit), Tool.executable.path] + train + ["--save", dir.appendingPathComponent("limited.json").path])
        #expect(limited.status == 0, "the run under the \(Self.limit)-byte limit failed (137: killed for memory): \(limited.standardError)")
        // The cgroup's peak: the file's pages pressed against the limit (so they were dropped and read again).
        let peak = try #require(limited.standardError.firstMatch(of: /memory-limit: peak ([0-9]+) bytes/).flatMap { Int($0.1) },
                                "\(limited.standardError)")
        #expect(peak >= Self.limit * 9 / 10 && peak <= Self.limit, "peak \(peak) bytes under a \(Self.limit)-byte limit")

        let plain = try Tool.run(train + ["--save", dir.appendingPathComponent("plain.json").path])
        #expect(plain.status == 0, "\(plain.standardError)")
        let a = try SavedModel.load(path: dir.appendingPathComponent("limited.json").path)
        let b = try SavedModel.load(path: dir.appendingPathComponent("plain.json").path)
        let bits = { (m: SavedModel) in parameterBits(m.layers) }
        #expect(bits(a).count == Self.features * 16 + 16 + 16 * 4 + 4)  // 1024-16-4: the labels have 4 classes
        #expect(bits(a) == bits(b), "the limited run's weights differ from the unlimited run's")
    }

    /// `rows × features` float32 features (little-endian, C order), uniform in [−1, 1) from a
    /// xorshift generator, and int64 labels: class 2·[x₁ > 0] + [x₀ > 0]. The `.npy` headers are
    /// written from the format's definition (version 1.0, padded to 64 bytes), not by the reader under test.
    static func writeData(features: String, labels: String) throws {
        func header(_ descr: String, _ shape: String) -> Data {
            var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
            dict += String(repeating: " ", count: (64 - (10 + dict.utf8.count + 1) % 64) % 64) + "\n"
            let n = dict.utf8.count
            return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(dict.utf8))
        }
        _ = FileManager.default.createFile(atPath: features, contents: header("<f4", "(\(rows), \(self.features))"))
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: features))
        defer { try? out.close() }
        try out.seekToEnd()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var classes: [Int64] = []
        let chunk = 1_000  // rows per write
        var values = [Float](repeating: 0, count: chunk * self.features)
        for start in stride(from: 0, to: rows, by: chunk) {
            for k in values.indices {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                values[k] = Float(Int64(bitPattern: state >> 40) - (1 << 23)) / Float(1 << 23)
            }
            for r in 0..<min(chunk, rows - start) {
                let row = r * self.features
                classes.append((values[row] > 0 ? 1 : 0) + (values[row + 1] > 0 ? 2 : 0))
            }
            try out.write(contentsOf: values.withUnsafeBytes { Data($0) })
        }
        var labelFile = header("<i8", "(\(rows),)")
        labelFile.append(classes.withUnsafeBytes { Data($0) })
        try labelFile.write(to: URL(fileURLWithPath: labels))
    }

    /// Writes `path` to disk and drops its pages from the page cache (`posix_fadvise(POSIX_FADV_DONTNEED)`).
    static func evict(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0, "cannot open \(path)")
        defer { close(fd) }
        try #require(fsync(fd) == 0 && posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED)) == 0, "cannot evict \(path)")
    }
}

/// `scripts/memory-limit.sh` of this package.
enum MemoryLimit {
    /// Why it cannot run here (its `check`: not root, no memory cgroup controller), or nil when it can.
    static let unavailable: String? = {
        // A sanitizer's shadow memory and quarantine are more than the limit leaves: `make test-asan`
        // and `make test-tsan` build the tool with it too (the plain `swift test` of `make test` runs this).
        for runtime in ["__asan_init", "__tsan_init"] where dlsym(UnsafeMutableRawPointer(bitPattern: 0), runtime) != nil {
            return "the tool is built with a sanitizer (\(runtime) is linked), whose own memory exceeds the limit"
        }
        guard let run = try? run(["check"]) else { return "scripts/memory-limit.sh cannot be started" }
        return run.status == 0 ? nil : "no memory cgroup can be made here: " + run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// Runs `scripts/memory-limit.sh arguments...`.
    static func run(_ arguments: [String]) throws -> Tool.Output {
        try Tool.run(TestData.packageRoot.appendingPathComponent("scripts/memory-limit.sh"), arguments)
    }
}
