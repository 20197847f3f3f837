import ArgumentParser
import DiffuseCPU
import DiffusePipeline

@main
struct DiffuseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffuse",
        abstract: "Stable Diffusion inference in Swift.",
        version: "diffuse \(DiffuseVersion.current)",
        subcommands: [GenerateCommand.self, ServeCommand.self, BenchCommand.self, DevicesCommand.self, InspectCommand.self])
}

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for the CPU kernels (default: all cores).")
    var threads: Int?

    /// The CPU backend with `--threads` (validated by `apply`).
    func backend() -> CPUBackend { CPUBackend(threads: threads) }

    /// Applies the options and refuses to go on where this build cannot run. `--threads` also becomes the
    /// process default, for the commands that time raw kernels (`bench ops`, `bench attention`).
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
