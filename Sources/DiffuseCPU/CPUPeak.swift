import CDiffuseKernels
import DiffuseCore

/// The measured peak multiply-add rate of this CPU, from register-only loops in C (peak_flops.c: 12
/// independent FMA chains, each kernel behind its own `target` attribute): what `diffuse devices` prints
/// and what a kernel's speed is a fraction of. One core, then every thread of `Parallel` at once (all
/// cores busy: turbo and shared pipes show). Needs an optimised build (`-c release`); a debug build keeps
/// the chains in memory and reports a fraction of the truth.
public struct CPUPeak: Sendable, CustomStringConvertible {
    /// Which instructions.
    public enum Kind: String, Sendable, CaseIterable {
        case f32AVX2 = "f32 AVX2 FMA (8 lanes)"
        case f32AVX512 = "f32 AVX-512 FMA (16 lanes)"
        case bf16AVX512 = "bf16 AVX512-BF16 VDPBF16PS (16 lanes × 2)"

        /// FLOPs of one loop iteration (12 instructions).
        var flopsPerIteration: Double {
            switch self {
            case .f32AVX2: 12 * 8 * 2
            case .f32AVX512: 12 * 16 * 2
            case .bf16AVX512: 12 * 32 * 2
            }
        }

        func isAvailable(_ f: CPUFeatures) -> Bool {
            switch self {
            case .f32AVX2: f.avx2 && f.fma
            case .f32AVX512: f.avx512f
            case .bf16AVX512: f.avx512bf16
            }
        }

        func run(_ iterations: Int) -> Float {
            switch self {
            case .f32AVX2: diffuse_peak_f32_avx2(iterations)
            case .f32AVX512: diffuse_peak_f32_avx512(iterations)
            case .bf16AVX512: diffuse_peak_bf16_avx512(iterations)
            }
        }
    }

    public let kind: Kind
    /// GFLOP/s of one thread.
    public let singleThread: Double
    /// GFLOP/s of `threads` threads together.
    public let allThreads: Double
    public let threads: Int

    public var description: String {
        "\(kind.rawValue): \(Self.format(singleThread)) GFLOP/s on 1 thread, \(Self.format(allThreads)) on \(threads)"
    }

    static func format(_ x: Double) -> String { x >= 100 ? "\(Int(x.rounded()))" : "\((x * 10).rounded() / 10)" }

    /// Every kind this CPU has, measured for about `seconds` per run.
    public static func measure(features: CPUFeatures = .current, threads: Int = Parallel.threadCount,
                               seconds: Double = 0.02) -> [CPUPeak] {
        Kind.allCases.filter { $0.isAvailable(features) }.map { kind in
            CPUPeak(kind: kind, singleThread: rate(kind, threads: 1, seconds: seconds),
                    allThreads: rate(kind, threads: threads, seconds: seconds), threads: max(1, threads))
        }
    }

    /// GFLOP/s of `threads` threads running `kind`'s loop at once: each thread times itself on its own CPU
    /// clock (so other processes sharing the cores do not lower the figure), best of 3 runs of about
    /// `seconds`, and the rates are summed. Runs through `Parallel` (threads beyond `Parallel.threadCount`
    /// run in turn).
    public static func rate(_ kind: Kind, threads: Int, seconds: Double = 0.02) -> Double {
        let threads = max(1, threads)
        // Calibrate on this thread: iterations for about `seconds`.
        var iterations = 1 << 12
        while true {
            let start = threadCPUSeconds()
            _ = kind.run(iterations)
            if threadCPUSeconds() - start >= seconds / 2 || iterations >= 1 << 34 { break }
            iterations *= 2
        }
        let flops = Double(iterations) * kind.flopsPerIteration
        let rates = UnsafeMutablePointer<Double>.allocate(capacity: threads)
        defer { rates.deallocate() }
        rates.initialize(repeating: 0, count: threads)
        let box = UncheckedBox(rates)
        Parallel.forEach(threads) { t in
            var best = 0.0
            for _ in 0..<3 {
                let start = threadCPUSeconds()
                let sink = kind.run(iterations)
                let elapsed = threadCPUSeconds() - start
                // The comparison keeps the loop's result alive; it is always true.
                if sink > -1, elapsed > 0 { best = max(best, flops / elapsed / 1e9) }
            }
            box.value[t] = best
        }
        return (0..<threads).reduce(0) { $0 + rates[$1] }
    }
}

extension CPUFeatures {
    /// The CPU's name as CPUID gives it ("AMD EPYC 9R14 96-Core Processor"; "" where unknown).
    public static let modelName: String = {
        var buffer = [CChar](repeating: 0, count: 64)
        buffer.withUnsafeMutableBufferPointer { diffuse_cpu_brand($0.baseAddress!) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}
