import DiffuseCore
import DiffuseCPU
import DiffusePipeline

/// `bench ops` cases of `--precision bf16` (only where the CPU has AVX512-BF16): the ops as
/// `BF16GEMMBackend` runs them — f32 activation, bf16 weight packed once and cached (the warm-up call packs
/// it), f32 result — on the SD 1.5 UNet's shapes at 512×512, batch 2.
extension OpsBenchmark {
    static func bf16Cases(threads: Int, quick: Bool) -> [OpsCase] {
        guard BF16GEMMBackend.isAccelerated else { return [] }
        let backend = BF16GEMMBackend(base: CPUBackend())
        let scale = quick ? 4 : 1
        var cases: [OpsCase] = []
        // Convolutions: the four levels' 3×3, the 1×1 and the stride-2 downsampler.
        for (channels, size) in [(320, 64), (640, 32), (1280, 16), (1280, 8)] {
            cases.append(bf16Conv(backend, n: 2, cin: channels, cout: channels, hw: max(size / scale, 4), k: 3,
                                  stride: 1, padding: 1, threads: threads))
        }
        cases.append(bf16Conv(backend, n: 2, cin: 320, cout: 320, hw: 64 / scale, k: 1, stride: 1, padding: 0, threads: threads))
        cases.append(bf16Conv(backend, n: 2, cin: 320, cout: 320, hw: 64 / scale, k: 3, stride: 2, padding: 1, threads: threads))
        // Linear layers x [M, K] · Wᵀ (W [N, K]): per level (tokens · 2 rows) the attention projection, GEGLU
        // input and feed-forward output; then the cross-attention K/V on the text (2 × 77 tokens).
        let levels = quick ? [(512, 320)] : [(8192, 320), (2048, 640), (512, 1280), (128, 1280)]
        var linears: [(Int, Int, Int)] = []
        for (m, c) in levels { linears += [(m, c, c), (m, 8 * c, c), (m, c, 4 * c)] }
        linears.append((154, 320, 768))
        for (m, n, k) in linears {
            cases.append(OpsCase(op: "linear", shape: "\(m)x\(n)x\(k)", dtype: "bf16", threads: threads,
                                 flops: 2.0 * Double(m * n) * Double(k), bytes: Double(m * k * 4 + n * k * 2 + m * n * 4)) {
                var random = BenchRandom(seed: 7)
                let x = random.tensor([m, k], dtype: .f32), w = random.tensor([n, k], dtype: .bf16, scale: 0.05)
                return { _ = backend.matmul(x, w, transposeA: false, transposeB: true) }
            })
        }
        return cases
    }

    static func bf16Conv(_ backend: BF16GEMMBackend, n: Int, cin: Int, cout: Int, hw: Int, k: Int, stride: Int,
                         padding: Int, threads: Int) -> OpsCase {
        let out = (hw + 2 * padding - k) / stride + 1
        return OpsCase(op: "conv\(k)x\(k)\(stride > 1 ? "s\(stride)" : "")", shape: "\(n)x\(cin)x\(hw)x\(hw)->\(cout)",
                       dtype: "bf16", threads: threads,
                       flops: 2.0 * Double(n * cout * out * out) * Double(cin * k * k),
                       bytes: Double((n * cin * hw * hw + n * cout * out * out) * 4 + cout * cin * k * k * 2)) {
            var random = BenchRandom(seed: 2)
            let x = random.tensor([n, cin, hw, hw], dtype: .f32)
            let w = random.tensor([cout, cin, k, k], dtype: .bf16, scale: 0.05)
            let bias = random.tensor([cout], dtype: .f32)
            return { _ = backend.conv2d(x, weight: w, bias: bias, stride: stride, padding: padding) }
        }
    }
}
