/// A register-only FMA loop that measures what the cores can do, so benchmarks can print "fraction of peak".
///
/// 12 independent `SIMD8<Float>` accumulators (FMA latency 4 × 2 pipes on Zen 4 needs ≥ 8 in flight),
/// 16 FLOP per FMA; the same code the Haswell-targeted build emits for the GEMM kernel.
public enum PeakFLOPS {
    /// Sustained GFLOP/s of `threads` threads running FMAs only (best of a few runs of ~50 ms each).
    public static func measureFMA(threads: Int) -> Double {
        let threads = max(1, threads)
        let iterations = 2_000_000
        var best = 0.0
        for _ in 0..<3 {
            let start = monotonicSeconds()
            let sink = UnsafeMutablePointer<Float>.allocate(capacity: threads)
            defer { sink.deallocate() }
            let box = UncheckedBox(sink)
            let saved = Parallel.threadCount
            Parallel.threadCount = threads
            Parallel.forEach(threads) { t in box.value[t] = fmaLoop(iterations: iterations, seed: Float(t)) }
            Parallel.threadCount = saved
            let seconds = monotonicSeconds() - start
            let flops = Double(threads) * Double(iterations) * 12 * 16
            best = max(best, flops / seconds / 1e9)
        }
        return best
    }

    @inline(never)
    static func fmaLoop(iterations: Int, seed: Float) -> Float {
        typealias V = SIMD8<Float>
        let x = V(repeating: 1.0000001), y = V(repeating: 0.9999999)
        var a0 = V(repeating: seed), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3, a4 = a0 + 4, a5 = a0 + 5
        var a6 = a0 + 6, a7 = a0 + 7, a8 = a0 + 8, a9 = a0 + 9, a10 = a0 + 10, a11 = a0 + 11
        for _ in 0..<iterations {
            a0.addProduct(a0, x); a1.addProduct(a1, y); a2.addProduct(a2, x); a3.addProduct(a3, y)
            a4.addProduct(a4, x); a5.addProduct(a5, y); a6.addProduct(a6, x); a7.addProduct(a7, y)
            a8.addProduct(a8, x); a9.addProduct(a9, y); a10.addProduct(a10, x); a11.addProduct(a11, y)
        }
        let s = (a0 + a1 + a2 + a3) + (a4 + a5 + a6 + a7) + (a8 + a9 + a10 + a11)
        return s.sum()
    }
}
