import DiffuseCore
import DiffuseCPU

/// One benchmark case: what it measures, its cost, and how to set it up (allocation happens in `prepare`,
/// outside the timed region; the returned closure is what is timed).
struct OpsCase {
    let op: String
    let shape: String
    let dtype: String
    let threads: Int
    let flops: Double
    let bytes: Double
    let prepare: () -> (() -> Void)
}

/// The cases of `diffuse bench ops`: the GEMM of the issue's targets, the SD 1.5 UNet's convolutions,
/// and every other kernel on a shape it meets in SD 1.5 at 512×512 (batch 2 = classifier-free guidance).
enum OpsBenchmark {
    static func cases(threads: Int, quick: Bool) -> [OpsCase] {
        let backend = CPUBackend()
        let threadCounts = Array(Set([1, threads])).sorted()
        var cases: [OpsCase] = []
        let g = quick ? 512 : 4096

        // GEMM [M, K] × [K, N]: 4096³ at one thread and at all threads, f32 and (where the CPU has it) bf16.
        for dtype in gemmDTypes() {
            for t in threadCounts {
                cases.append(matmulCase(backend, op: "gemm", m: g, n: g, k: g, batch: 1, dtype: dtype, threads: t))
            }
        }
        // Attention-shaped batched GEMMs (2 heads of SD 1.5's 64×64 level, head dim 40): small K and small N.
        let tokens = quick ? 1024 : 4096
        cases.append(matmulCase(backend, op: "bmm_qk", m: tokens, n: tokens, k: 40, batch: 2, dtype: .f32, threads: threads, transposeB: true))
        cases.append(matmulCase(backend, op: "bmm_pv", m: tokens, n: 40, k: tokens, batch: 2, dtype: .f32, threads: threads))

        // The SD 1.5 UNet's 3×3 convolutions, batch 2, stride 1, padding 1; then a 1×1 and a stride-2 one.
        let scale = quick ? 4 : 1
        for (channels, size) in [(320, 64), (640, 32), (1280, 16), (1280, 8)] {
            cases.append(convCase(backend, n: 2, cin: channels, cout: channels, hw: max(size / scale, 4), k: 3, stride: 1, padding: 1, threads: threads))
        }
        cases.append(convCase(backend, n: 2, cin: 320, cout: 320, hw: 64 / scale, k: 1, stride: 1, padding: 0, threads: threads))
        cases.append(convCase(backend, n: 2, cin: 320, cout: 320, hw: 64 / scale, k: 3, stride: 2, padding: 1, threads: threads))

        cases += bf16Cases(threads: threads, quick: quick)
        cases += unetCases(backend, threads: threads, quick: quick)
        cases += winogradCases(backend, threads: threads, quick: quick)
        cases += elementwiseCases(backend, threads: threads, scale: scale)
        return cases
    }

    /// The SD 1.5 UNet's slow shapes at 256×256 batch 1 (`diffuse bench unet --profile-shapes`): its Linear
    /// layers (x [1, M, K] · Wᵀ, W [N, K]) with few tokens, and 3×3 convolutions of one small image.
    static func unetCases(_ backend: CPUBackend, threads: Int, quick: Bool) -> [OpsCase] {
        let linears = quick ? [(1, 1280, 1280), (77, 320, 768)]
            : [(1, 1280, 1280), (16, 1280, 1280), (64, 1280, 1280), (64, 10240, 1280), (77, 1280, 768),
               (128, 1280, 1280), (128, 10240, 1280),
               (256, 640, 640), (1024, 320, 320)]
        var cases = linears.map { m, n, k in
            OpsCase(op: "linear", shape: "\(m)x\(n)x\(k)", dtype: "f32", threads: threads,
                    flops: 2.0 * Double(m * n) * Double(k), bytes: Double((m * k + n * k + m * n) * 4)) {
                var random = BenchRandom(seed: 6)
                let x = random.tensor([1, m, k], dtype: .f32), w = random.tensor([n, k], dtype: .f32, scale: 0.05)
                return { _ = backend.matmul(x, w, transposeA: false, transposeB: true) }
            }
        }
        let convs = quick ? [(320, 32)] : [(320, 32), (640, 16), (1280, 8), (1280, 4)]
        for (channels, size) in convs {
            var c = convCase(backend, n: 1, cin: channels, cout: channels, hw: size, k: 3, stride: 1, padding: 1,
                             threads: threads)
            c = OpsCase(op: "unet_conv3x3", shape: c.shape, dtype: c.dtype, threads: c.threads, flops: c.flops,
                        bytes: c.bytes, prepare: c.prepare)
            cases.append(c)
        }
        return cases
    }

    /// 3×3 stride-1 convolutions computed each way (`ConvAlgorithm`; the plain `conv3x3` rows run what
    /// `conv2d` picks, `DIFFUSE_CONV` or the automatic choice): the SD 1.5 UNet's levels at batch 2 and 1,
    /// and the VAE decoder's (batch 1, 512×512 image). GFLOP/s count the direct convolution's FLOPs.
    static func winogradCases(_ backend: CPUBackend, threads: Int, quick: Bool) -> [OpsCase] {
        let s = quick ? 4 : 1
        let shapes = [(2, 320, 64), (2, 640, 32), (2, 1280, 16), (2, 1280, 8), (1, 320, 64), (1, 640, 32),
                      (1, 1280, 16), (1, 1280, 8), (1, 512, 64), (1, 512, 128), (1, 256, 256), (1, 128, 512)]
        var cases: [OpsCase] = []
        for (images, channels, size) in shapes {
            for (name, algorithm) in [("direct", ConvAlgorithm.direct), ("wino2", .winogradF2), ("wino4", .winogradF4)] {
                cases.append(convCase(backend, n: images, cin: channels, cout: channels, hw: max(size / s, 4), k: 3,
                                      stride: 1, padding: 1, threads: threads, algorithm: algorithm,
                                      op: "conv3x3_\(name)"))
            }
        }
        return cases
    }

    static func gemmDTypes() -> [DType] {
        CPUFeatures.current.avx512bf16 ? [.f32, .bf16] : [.f32]
    }

    static func matmulCase(_ backend: CPUBackend, op: String, m: Int, n: Int, k: Int, batch: Int, dtype: DType,
                           threads: Int, transposeB: Bool = false) -> OpsCase {
        let lead = batch > 1 ? [batch] : []
        return OpsCase(op: op, shape: "\(batch > 1 ? "\(batch)x" : "")\(m)x\(n)x\(k)", dtype: dtype.rawValue,
                       threads: threads, flops: 2.0 * Double(batch * m) * Double(n) * Double(k),
                       bytes: Double(batch * (m * k + k * n) * dtype.byteSize + batch * m * n * 4)) {
            var random = BenchRandom(seed: 1)
            let a = random.tensor(lead + [m, k], dtype: dtype)
            let b = random.tensor(lead + (transposeB ? [n, k] : [k, n]), dtype: dtype)
            return { _ = backend.matmul(a, b, transposeA: false, transposeB: transposeB) }
        }
    }

    static func convCase(_ backend: CPUBackend, n: Int, cin: Int, cout: Int, hw: Int, k: Int, stride: Int, padding: Int,
                         threads: Int, algorithm: ConvAlgorithm? = nil, op: String? = nil) -> OpsCase {
        let out = (hw + 2 * padding - k) / stride + 1
        return OpsCase(op: op ?? "conv\(k)x\(k)\(stride > 1 ? "s\(stride)" : "")", shape: "\(n)x\(cin)x\(hw)x\(hw)->\(cout)",
                       dtype: "f32", threads: threads,
                       flops: 2.0 * Double(n * cout * out * out) * Double(cin * k * k),
                       bytes: Double((n * cin * hw * hw + cout * cin * k * k + n * cout * out * out) * 4)) {
            var random = BenchRandom(seed: 2)
            let x = random.tensor([n, cin, hw, hw], dtype: .f32)
            let w = random.tensor([cout, cin, k, k], dtype: .f32, scale: 0.05)
            let bias = random.tensor([cout], dtype: .f32)
            return { _ = backend.conv2d(x, weight: w, bias: bias, stride: stride, padding: padding, algorithm: algorithm) }
        }
    }

    /// Memory-bound kernels: GFLOP/s is low by nature; GB/s says how close they run to memory speed.
    static func elementwiseCases(_ backend: CPUBackend, threads: Int, scale: Int) -> [OpsCase] {
        let s = scale
        func unary(_ op: String, _ shape: [Int], flopsPerElement: Double, outputFraction: Double = 1,
                   _ body: @escaping (Tensor) -> Void) -> OpsCase {
            let count = Double(shape.reduce(1, *))
            return OpsCase(op: op, shape: shape.map(String.init).joined(separator: "x"), dtype: "f32", threads: threads,
                           flops: flopsPerElement * count, bytes: count * 4 * (1 + outputFraction)) {
                var random = BenchRandom(seed: 3)
                let x = random.tensor(shape, dtype: .f32)
                return { body(x) }
            }
        }
        let image = [2, 320, 64 / s, 64 / s]
        let tokens = [2, 4096 / (s * s), 320]
        var cases = [
            unary("groupnorm_silu", image, flopsPerElement: 12) {
                _ = backend.groupNorm($0, groups: 32, weight: nil, bias: nil, eps: 1e-5, fusedSiLU: true)
            },
            unary("layernorm", tokens, flopsPerElement: 8) {
                _ = backend.layerNorm($0, weight: nil, bias: nil, eps: 1e-5)
            },
            unary("softmax", [4096 / (s * s), 4096 / s], flopsPerElement: 5) { _ = backend.softmax($0) },
            unary("silu", image, flopsPerElement: 5) { _ = backend.activation($0, .silu) },
            unary("gelu", [2, 4096 / (s * s), 1280], flopsPerElement: 10) { _ = backend.activation($0, .gelu) },
            unary("geglu", [2, 4096 / (s * s), 2560], flopsPerElement: 6, outputFraction: 0.5) { _ = backend.geglu($0) },
            unary("upsample2x", [2, 640, 32 / s, 32 / s], flopsPerElement: 0, outputFraction: 4) {
                _ = backend.upsampleNearest2x($0)
            },
            // The UNet's path for latents that are not multiples of 2^levels: resize to the skip's size.
            unary("upsample_to_size", [2, 640, 32 / s - 1, 32 / s - 1], flopsPerElement: 0, outputFraction: 4) {
                _ = backend.upsampleNearest($0, height: 2 * $0.size(2) + 1, width: 2 * $0.size(3) + 1)
            },
            unary("concat", [2, 640, 32 / s, 32 / s], flopsPerElement: 0, outputFraction: 2) {
                _ = backend.concat([$0, $0], dim: 1)
            },
        ]
        let biasShape = [1, 320, 1, 1]
        let count = Double(image.reduce(1, *))
        cases.append(OpsCase(op: "add_bcast", shape: "\(image)+\(biasShape)", dtype: "f32", threads: threads,
                             flops: count, bytes: count * 8) {
            var random = BenchRandom(seed: 4)
            let x = random.tensor(image, dtype: .f32), b = random.tensor(biasShape, dtype: .f32)
            return { _ = backend.add(x, b) }
        })
        cases.append(OpsCase(op: "embedding", shape: "49408x768[2x77]", dtype: "f32", threads: threads,
                             flops: 0, bytes: 2 * 77 * 768 * 4 * 2) {
            var random = BenchRandom(seed: 5)
            let table = random.tensor([49408, 768], dtype: .f32)
            let ids = Tensor(ids: (0..<154).map { ($0 * 7919) % 49408 }, shape: [2, 77])
            return { _ = backend.embedding(table, ids: ids) }
        })
        return cases
    }
}

/// Deterministic inputs for benchmarks (values do not matter for speed, but denormals and NaNs would).
struct BenchRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> Float {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }

    mutating func tensor(_ shape: [Int], dtype: DType, scale: Float = 1) -> Tensor {
        let t = Tensor(zeros: shape, dtype: .f32)
        let p = t.pointer(as: Float.self)
        for i in 0..<t.count { p[i] = next() * scale }
        return dtype == .f32 ? t : t.hostConverted(to: dtype)
    }
}
