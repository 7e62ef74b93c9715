// OpenBLASKernelsTests.swift: the kernel family asked of OpenBLAS for a processor it does not know, and the environment handed to other programs.
import Linalg
import Testing

@Suite struct OpenBLASKernelsTests {
    static let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    @Test func aFallbackToOldKernelsIsReplacedByWhatTheProcessorCanRun() {
        #expect(OpenBLASKernels.suggestedCore(current: "Prescott", flags: Self.avx512) == "SkylakeX")
        #expect(OpenBLASKernels.suggestedCore(current: "Nehalem", flags: Self.avx512) == "SkylakeX")
        // AVX-512 F alone (no BW/DQ/VL, as on Knights Landing) is not what the SkylakeX kernels need.
        #expect(OpenBLASKernels.suggestedCore(current: "Prescott", flags: ["avx2", "fma", "avx512f"]) == "Haswell")
        #expect(OpenBLASKernels.suggestedCore(current: "Prescott", flags: ["avx2", "fma"]) == "Haswell")
        #expect(OpenBLASKernels.suggestedCore(current: "Prescott", flags: ["avx2"]) == nil)
        #expect(OpenBLASKernels.suggestedCore(current: "Prescott", flags: ["sse3", "avx"]) == nil)
        #expect(OpenBLASKernels.suggestedCore(current: "Prescott", flags: []) == nil)
    }

    @Test func aProcessorOpenBLASKnowsKeepsItsChoice() {
        for core in ["Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"] {
            #expect(OpenBLASKernels.suggestedCore(current: core, flags: Self.avx512) == nil, "\(core)")
        }
    }

    @Test func otherProgramsGetTheUsersEnvironment() {
        let user = ["PATH": "/bin", "OPENBLAS_NUM_THREADS": "1"]
        #expect(OpenBLASKernels.environmentBeforeRestart(user) == user)
        // A user's own OPENBLAS_CORETYPE is theirs: kept.
        #expect(OpenBLASKernels.environmentBeforeRestart(user.merging(["OPENBLAS_CORETYPE": "Haswell"]) { $1 })["OPENBLAS_CORETYPE"] == "Haswell")
        let restarted = user.merging(["OPENBLAS_CORETYPE": "SkylakeX", "BACKPROP_OPENBLAS_REPLACED": "Prescott"]) { $1 }
        #expect(OpenBLASKernels.environmentBeforeRestart(restarted) == user)
    }

    @Test func processorFlagsAreRead() {
        // Every x86-64 processor Linux runs on lists SSE2 (part of the architecture).
        #if arch(x86_64)
        #expect(OpenBLASKernels.processorFlags.contains("sse2"))
        #endif
    }
}
