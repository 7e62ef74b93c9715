// LayerMemory.swift: the memory a network of given layer sizes needs, checked before anything is allocated.
import ArgumentParser
import Foundation

/// The memory a network of the given layer sizes needs for its weights and biases, checked before
/// anything is allocated: a size whose weights cannot be held is an error giving the layer, its
/// size and the memory it would take.
enum LayerMemory {
    /// Throws when a layer's `fan_in × fan_out` weights overflow `Int` or the network's weights and
    /// biases (`bytesPerValue` each: 8 in float64, 4 in float32) exceed `limit` bytes (the machine's physical memory by default).
    /// `sizes` is `[inputs, hidden..., outputs]`, or a run of them starting at layer `firstLayer`;
    /// `option` names where the sizes came from.
    static func check(sizes: [Int], firstLayer: Int = 0, option: String, bytesPerValue: Int = 8,
                      limit: UInt64 = ProcessInfo.processInfo.physicalMemory) throws {
        let size = UInt64(bytesPerValue)
        var total: UInt64 = 0
        for k in 0..<max(sizes.count - 1, 0) {
            let (l, fanIn, fanOut) = (firstLayer + k, sizes[k], sizes[k + 1])
            let (weights, overflow) = fanIn.multipliedReportingOverflow(by: fanOut)
            let bytes = overflow ? nil : UInt64(exactly: weights + fanOut).flatMap { $0.multipliedReportingOverflow(by: size).overflow ? nil : $0 * size }
            guard let bytes else {
                throw ValidationError("\(option): layer \(l) (\(fanIn)×\(fanOut)) has more weights than can be counted (over \(Int.max)); it cannot be allocated")
            }
            total = total.addingReportingOverflow(bytes).overflow ? .max : total + bytes
            if total > limit {
                throw ValidationError("\(option): layer \(l) (\(fanIn)×\(fanOut), \(weights) weights) would take \(Self.describe(bytes)) for its weights and biases"
                    + " (\(Self.describe(total)) for the network so far), more than this machine's \(Self.describe(limit)) of memory")
            }
        }
    }

    /// Bytes in binary units with three significant digits: `7.45 GiB`.
    static func describe(_ bytes: UInt64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.3g %@", value, units[unit])
    }
}
