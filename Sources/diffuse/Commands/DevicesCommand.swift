import ArgumentParser
import DiffuseCPU

/// `diffuse devices`: what this machine offers the kernels.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "devices",
                                                    abstract: "Print the compute devices and CPU features.")
    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.apply()
        let features = CPUFeatures.current
        print("cpu: \(Parallel.machineCores) cores, using \(Parallel.threadCount) threads")
        print("cpu features: \(features)")
        print("bf16 GEMM (AVX512-BF16): \(features.avx512bf16 ? "used" : "not available on this CPU; bf16 weights are computed in f32")")
        print("gpu: none (the CUDA backend is not built yet)")
    }
}
