import ArgumentParser
import DiffuseCPU

@main
struct Diffuse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffuse",
        abstract: "Stable Diffusion inference in Swift.",
        subcommands: [Devices.self])
}

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for the CPU kernels (default: all cores).")
    var threads: Int?

    func apply() throws {
        if let threads {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
            Parallel.threadCount = threads
        }
        guard CPUFeatures.current.meetsBuildBaseline else {
            throw ValidationError("this build of diffuse needs an x86-64 CPU with AVX2, FMA and F16C; this CPU has: \(CPUFeatures.current)")
        }
    }
}

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the compute devices and CPU features.")
    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.apply()
        print("cpu: \(Parallel.machineCores) cores, using \(Parallel.threadCount) threads")
        print("cpu features: \(CPUFeatures.current)")
        print("bf16 GEMM (AVX512-BF16): \(CPUFeatures.current.avx512bf16 ? "available" : "not available on this CPU")")
    }
}
