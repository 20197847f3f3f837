/// A register-only FMA loop that measures what the cores can do, so benchmarks can print "fraction of peak".
/// Measured on the 2-core Zen 4 box: ≈ 117.7 GFLOP/s on one thread, ≈ 232.7 on two.
///
/// 12 independent `SIMD8<Float>` accumulators (FMA latency 4 × 2 pipes on Zen 4 needs ≥ 8 in flight),
/// 16 FLOP per FMA; the same code the Haswell-targeted build emits for the GEMM kernel.
public enum PeakFLOPS {
    /// Sustained GFLOP/s of `threads` threads running FMAs only: each thread times itself on its own CPU
    /// clock (so other processes sharing the cores do not lower the figure), best of 3 runs of ~10 ms, and
    /// the rates are summed. Runs through `Parallel` (threads beyond `Parallel.threadCount` run in turn).
    public static func measureFMA(threads: Int) -> Double {
        let threads = max(1, threads)
        let iterations = 6_000_000
        let flopsPerThread = Double(iterations) * 12 * 16
        let rates = UnsafeMutablePointer<Double>.allocate(capacity: threads)
        defer { rates.deallocate() }
        rates.initialize(repeating: 0, count: threads)
        let box = UncheckedBox(rates)
        Parallel.forEach(threads) { t in
            var best = 0.0
            for _ in 0..<3 {
                let start = threadCPUSeconds()
                let sink = fmaLoop(iterations: iterations, seed: Float(t))
                let seconds = threadCPUSeconds() - start
                // The comparison keeps the loop's result alive; it is always true.
                if sink > -1 { best = max(best, flopsPerThread / seconds / 1e9) }
            }
            box.value[t] = best
        }
        return (0..<threads).reduce(0) { $0 + rates[$1] }
    }

    @inline(never)
    static func fmaLoop(iterations: Int, seed: Float) -> Float {
        typealias V = SIMD8<Float>
        // a += x · y: 12 independent dependency chains that stay finite (≈ +1e-6 per step).
        let x = V(repeating: 1e-3), y = V(repeating: 1e-3)
        var a0 = V(repeating: seed), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3, a4 = a0 + 4, a5 = a0 + 5
        var a6 = a0 + 6, a7 = a0 + 7, a8 = a0 + 8, a9 = a0 + 9, a10 = a0 + 10, a11 = a0 + 11
        for _ in 0..<iterations {
            a0.addProduct(x, y); a1.addProduct(x, y); a2.addProduct(x, y); a3.addProduct(x, y)
            a4.addProduct(x, y); a5.addProduct(x, y); a6.addProduct(x, y); a7.addProduct(x, y)
            a8.addProduct(x, y); a9.addProduct(x, y); a10.addProduct(x, y); a11.addProduct(x, y)
        }
        let s = (a0 + a1 + a2 + a3) + (a4 + a5 + a6 + a7) + (a8 + a9 + a10 + a11)
        return s.sum()
    }
}
