// OpenBLASKernels.swift: which kernel family OpenBLAS runs, and a better one for a processor its DYNAMIC_ARCH build does not know.
#if canImport(Glibc)
import Glibc
#endif

/// Which kernel family (OpenBLAS's "core") a DYNAMIC_ARCH OpenBLAS runs, and the remedy when it
/// does not know the processor.
///
/// OpenBLAS picks its kernels once, as the library loads, from the processor's family and model
/// numbers. A processor newer than the build (Debian 12's OpenBLAS 0.3.21 on Intel's 4th- and
/// 5th-generation Xeons, say) falls back to `Prescott`, its SSE3 kernels, even when the processor
/// has AVX-512: measured on such a Xeon (family 6, model 207), the 784-256-128-10 float32 training
/// step took 8.5 ms on them and 1.3 ms on the `SkylakeX` kernels. OpenBLAS reads the environment
/// variable `OPENBLAS_CORETYPE` before that choice, so a program can only change it for a process
/// it starts: ``restartWithBetterKernelsIfNeeded(arguments:)`` does that for an executable (the
/// `backprop` tool and its bench call it first thing); a program linking the library sets
/// `OPENBLAS_CORETYPE` itself (``suggestedCore`` names the value).
public enum OpenBLASKernels {
    /// Kernel families older than AVX2: what OpenBLAS falls back to on a processor it does not know.
    static let preAVX2Cores: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Nano",
                                            "Sandybridge", "Opteron", "Opteron(SSE3)", "Barcelona", "Bobcat", "Katmai",
                                            "Coppermine", "Northwood", "Banias", "Athlon", "Unknown"]

    /// The kernel family to ask for, or nil to keep `current`: `SkylakeX` when the processor has
    /// AVX-512 (F, CD, BW, DQ, VL), else `Haswell` when it has AVX2 and FMA, and only when `current`
    /// is one of the families from before AVX2 (a known processor keeps OpenBLAS's own choice).
    /// `flags` are the processor's feature names as `/proc/cpuinfo` lists them.
    public static func suggestedCore(current: String, flags: Set<String>) -> String? {
        guard preAVX2Cores.contains(current) else { return nil }
        if flags.isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// ``suggestedCore(current:flags:)`` for this process's OpenBLAS and processor, or nil. Reads
    /// `/proc/cpuinfo` only when OpenBLAS took one of its pre-AVX2 families (every program start asks).
    public static var suggestedCore: String? {
        let current = BLASThreads.coreName
        guard preAVX2Cores.contains(current) else { return nil }
        return suggestedCore(current: current, flags: processorFlags)
    }

    /// The processor's feature flags from `/proc/cpuinfo` (empty where it cannot be read).
    public static var processorFlags: Set<String> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil, capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            if text.hasPrefix("flags") { return Set(text.split(separator: ":").last?.split(separator: " ").map { String($0.filter { !$0.isNewline }) } ?? []) }
        }
        return []
    }

    /// The environment variable that marks a process restarted by
    /// ``restartWithBetterKernelsIfNeeded(arguments:)``; its value is the family OpenBLAS had chosen.
    static let restartMarker = "BACKPROP_OPENBLAS_REPLACED"

    /// For an executable, first thing in `main`: when `OPENBLAS_CORETYPE` is unset and
    /// ``suggestedCore`` names a better family, runs this program again (same process id, same
    /// `arguments`, `/proc/self/exe`) with `OPENBLAS_CORETYPE` set to it, and does not return. Returns
    /// at once otherwise: a user's own `OPENBLAS_CORETYPE` (any value) is always kept, and a
    /// restarted process never restarts again.
    public static func restartWithBetterKernelsIfNeeded(arguments: [String] = CommandLine.arguments) {
        guard getenv("OPENBLAS_CORETYPE") == nil, getenv(restartMarker) == nil, let core = suggestedCore else { return }
        setenv(restartMarker, BLASThreads.coreName, 1)
        setenv("OPENBLAS_CORETYPE", core, 1)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &argv)
        // The exec failed: carry on with the kernels there are.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(restartMarker)
    }

    /// `environment` as it was before ``restartWithBetterKernelsIfNeeded(arguments:)`` set
    /// `OPENBLAS_CORETYPE` (unchanged when it did not), for child processes that choose their own kernels.
    public static func environmentBeforeRestart(_ environment: [String: String]) -> [String: String] {
        guard environment[restartMarker] != nil else { return environment }
        return environment.filter { $0.key != restartMarker && $0.key != "OPENBLAS_CORETYPE" }
    }

    /// A line saying which kernels this process runs when ``restartWithBetterKernelsIfNeeded(arguments:)``
    /// chose them, e.g. "OpenBLAS: SkylakeX kernels (OpenBLAS took Prescott for this processor; set
    /// OPENBLAS_CORETYPE to choose)"; nil when OpenBLAS's own choice or the user's stands.
    public static var replacementNote: String? {
        guard let replaced = getenv(restartMarker).map({ String(cString: $0) }) else { return nil }
        return "OpenBLAS: \(BLASThreads.coreName) kernels (OpenBLAS \(version) took \(replaced), its kernels from before AVX2, "
            + "for this processor; set OPENBLAS_CORETYPE to choose)"
    }

    /// OpenBLAS's version, the second word of its configuration ("0.3.21").
    static var version: String {
        let words = BLASThreads.configuration.split(separator: " ")
        return words.count > 1 ? String(words[1]) : "?"
    }
}
