import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Timings of the non-GEMM ops at Stable Diffusion sizes (SD 1.5 UNet at 64×64 latents, CFG batch 2).
/// Off by default; run in release, where whole-module optimisation inlines the vector math:
///   DIFFUSE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter OpsBenchmarks
/// Prints the best of 5 runs, with 1 thread and with all threads (`Parallel.threadCount`).
@Suite(.enabled(if: getenv("DIFFUSE_BENCH") != nil), .serialized)
struct OpsBenchmarks {
    let cpu = CPUBackend()

    func measure(_ name: String, bytes: Int, _ body: () -> Tensor) {
        var line = "ops bench  \(name + String(repeating: " ", count: max(0, 44 - name.count)))"
        let threads = Parallel.threadCount
        for count in [1, threads] {
            Parallel.threadCount = count
            _ = body()
            let clock = ContinuousClock()
            var best = Duration.seconds(1000)
            for _ in 0..<5 {
                let start = clock.now
                _ = body()
                best = min(best, clock.now - start)
            }
            let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
            line += "  \(count)T: \((seconds * 1e5).rounded() / 100) ms \((Double(bytes) / seconds / 1e7).rounded() / 100) GB/s"
        }
        Parallel.threadCount = threads
        print(line)
    }

    @Test func stableDiffusionSizes() {
        let x = OpTestSupport.random([2, 320, 64, 64], seed: 1)
        let bytes = x.count * 4
        let w = OpTestSupport.random([320], seed: 2)
        measure("groupNorm+SiLU [2,320,64,64] g32", bytes: 2 * bytes) {
            cpu.groupNorm(x, groups: 32, weight: w, bias: w, eps: 1e-5, fusedSiLU: true)
        }
        measure("add [2,320,64,64] + same", bytes: 3 * bytes) { cpu.add(x, x) }
        measure("add [2,320,64,64] + [2,320,1,1]", bytes: 2 * bytes) {
            cpu.add(x, OpTestSupport.random([2, 320, 1, 1], seed: 3))
        }
        let tokens = OpTestSupport.random([2, 4096, 320], seed: 4)
        measure("layerNorm [2,4096,320]", bytes: 2 * bytes) { cpu.layerNorm(tokens, weight: w, bias: w, eps: 1e-5) }
        let scores = OpTestSupport.random([16, 4096, 77], seed: 5, scale: 5)
        measure("softmax [16,4096,77] (cross-attention)", bytes: 2 * scores.count * 4) { cpu.softmax(scores) }
        let projected = OpTestSupport.random([2, 4096, 2560], seed: 6, scale: 3)
        measure("geglu [2,4096,2560]", bytes: projected.count * 6) { cpu.geglu(projected) }
        measure("gelu [2,4096,2560]", bytes: projected.count * 8) { cpu.activation(projected, .gelu) }
        let skip = OpTestSupport.random([2, 640, 64, 64], seed: 7)
        measure("concat dim 1 [2,640,64,64] + [2,320,64,64]", bytes: 2 * (skip.count + x.count) * 4) {
            cpu.concat([skip, x], dim: 1)
        }
        let small = OpTestSupport.random([2, 1280, 16, 16], seed: 8)
        measure("upsampleNearest2x [2,1280,16,16]", bytes: small.count * 20) { cpu.upsampleNearest2x(small) }
    }
}
