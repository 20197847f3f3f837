import CDiffuseKernels

/// What this CPU can do, read once at start-up. Kernels pick their path from these flags at run time.
public struct CPUFeatures: Sendable, CustomStringConvertible {
    public let avx2: Bool
    public let fma: Bool
    public let f16c: Bool
    public let avx512f: Bool
    public let avx512bf16: Bool
    /// AVX512-FP16 arithmetic (Sapphire Rapids and later).
    public let avx512fp16: Bool
    /// AMX tiles with bf16 (TILE + BF16, tile state saved by the OS; Linux also asks `arch_prctl` permission
    /// before first use).
    public let amxBF16: Bool
    public let neon: Bool

    public static let current: CPUFeatures = {
        let f = diffuse_detect_cpu_features()
        return CPUFeatures(avx2: f.avx2 != 0, fma: f.fma != 0, f16c: f.f16c != 0,
                           avx512f: f.avx512f != 0 && f.avx512bw != 0 && f.avx512vl != 0,
                           avx512bf16: f.avx512bf16 != 0 && f.avx512bw != 0 && f.avx512vl != 0,
                           avx512fp16: f.avx512fp16 != 0, amxBF16: f.amx_bf16 != 0, neon: f.neon != 0)
    }()

    public var description: String {
        var names: [String] = []
        if avx2 { names.append("avx2") }
        if fma { names.append("fma") }
        if f16c { names.append("f16c") }
        if avx512f { names.append("avx512") }
        if avx512bf16 { names.append("avx512bf16") }
        if avx512fp16 { names.append("avx512fp16") }
        if amxBF16 { names.append("amx-bf16") }
        if neon { names.append("neon") }
        return names.isEmpty ? "baseline" : names.joined(separator: " ")
    }

    /// On x86-64 the Swift kernels are compiled for Haswell (AVX2+FMA+F16C); running them without AVX2+FMA would
    /// crash with an illegal instruction. `diffuse` checks this first and explains instead.
    public var meetsBuildBaseline: Bool {
        #if arch(x86_64)
        return avx2 && fma && f16c
        #else
        return true
        #endif
    }
}
