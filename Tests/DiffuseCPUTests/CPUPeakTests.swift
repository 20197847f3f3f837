import Foundation
import Testing
import DiffuseCPU

/// `CPUPeak` and the CPU facts `diffuse devices` prints: every kind the CPU has is measured, with a
/// positive rate that adds up over threads; the model name comes from CPUID.
@Suite struct CPUPeakTests {
    @Test func measuresEveryAvailableKind() {
        let features = CPUFeatures.current
        let peaks = CPUPeak.measure(features: features, threads: 2, seconds: 0.005)
        #if arch(x86_64)
        #expect(peaks.map(\.kind).first == .f32AVX2, "AVX2 + FMA is the build's baseline")
        #expect(peaks.contains { $0.kind == .bf16AVX512 } == features.avx512bf16)
        #expect(!CPUFeatures.modelName.isEmpty && CPUFeatures.modelName == CPUFeatures.modelName.trimmingCharacters(in: .whitespaces))
        #endif
        for peak in peaks {
            #expect(peak.singleThread > 0 && peak.allThreads > 0 && peak.threads == 2, "\(peak)")
            #expect("\(peak)".contains("GFLOP/s on 1 thread"))
        }
    }
}
