#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseCPU
import DiffuseBench

/// One measured case of `diffuse bench ops`: a table row, or with `--json` one line
/// (`source`, `op`, `shape`, `dtype`, `threads`, `seconds`, `gflops`, `peak_fraction`, `gb_per_s`).
struct BenchRow: Encodable {
    var source: String       // "diffuse" or "numpy"
    var op: String
    var shape: String
    var dtype: String
    var threads: Int
    var seconds: Double
    var flops: Double        // floating-point operations of one run (an FMA counts 2)
    var bytes: Double        // bytes one run must at least read + write (0 when not meaningful)
    var peak: Double         // measured FMA peak in GFLOP/s at this thread count

    var gflops: Double { flops / seconds / 1e9 }
    var gbPerSecond: Double { bytes / seconds / 1e9 }
    var peakFraction: Double { gflops / peak }

    enum CodingKeys: String, CodingKey {
        case source, op, shape, dtype, threads, seconds, gflops
        case peakFraction = "peak_fraction"
        case gbPerSecond = "gb_per_s"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(op, forKey: .op)
        try c.encode(shape, forKey: .shape)
        try c.encode(dtype, forKey: .dtype)
        try c.encode(threads, forKey: .threads)
        try c.encode(JSONLine.rounded(seconds, 6), forKey: .seconds)
        try c.encode(JSONLine.rounded(gflops, 2), forKey: .gflops)
        try c.encode(JSONLine.rounded(peakFraction, 4), forKey: .peakFraction)
        try c.encode(JSONLine.rounded(gbPerSecond, 2), forKey: .gbPerSecond)
    }
}

/// The measured FMA peak, `{"gflops": …, "op": "fma_peak", "shape": "registers", "threads": …}`.
struct PeakRow: Encodable {
    var op = "fma_peak"
    var shape = "registers"
    var threads: Int
    var gflops: Double?
}

/// Prints rows as an aligned table or as JSON lines (`--json`). Rows are printed as they are measured.
final class BenchReport {
    let json: Bool
    init(json: Bool) { self.json = json }

    func header() {
        guard !json else { return }
        print(pad("source", 8) + pad("op", 16) + pad("shape", 26) + pad("dtype", 6) + pad("thr", 4, right: true)
              + pad("seconds", 12, right: true) + pad("GFLOP/s", 10, right: true) + pad("% peak", 8, right: true)
              + pad("GB/s", 8, right: true))
    }

    func note(_ text: String) {
        if json { print(JSONLine.encode(BenchNote(text))) } else { print(text) }
        fflush(nil)
    }

    func peakRow(threads: Int, gflops: Double) {
        if json {
            print(JSONLine.encode(PeakRow(threads: threads, gflops: JSONLine.rounded(gflops, 2))))
        } else {
            print("measured FMA peak, \(threads) thread\(threads == 1 ? "" : "s"): \(fmt(gflops, 1)) GFLOP/s")
        }
        fflush(nil)
    }

    func row(_ r: BenchRow) {
        if json {
            print(JSONLine.encode(r))
        } else {
            print(pad(r.source, 8) + pad(r.op, 16) + pad(r.shape, 26) + pad(r.dtype, 6)
                  + pad("\(r.threads)", 4, right: true) + pad(fmt(r.seconds, 5), 12, right: true)
                  + pad(fmt(r.gflops, 1), 10, right: true) + pad(fmt(100 * r.peakFraction, 1), 8, right: true)
                  + pad(r.bytes > 0 ? fmt(r.gbPerSecond, 1) : "-", 8, right: true))
        }
        fflush(nil)
    }

    private func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(1, width - s.count))
        return right ? fill + s : s + fill
    }
}

/// `DiffuseBench.fmt` for every file of this target (module-level names shadow imported ones).
func fmt(_ value: Double, _ decimals: Int) -> String { DiffuseBench.fmt(value, decimals) }

/// The machine's FMA peak per thread count, measured once each and printed when first measured.
final class PeakTable {
    private var measured: [Int: Double] = [:]
    private let report: BenchReport

    init(threads: Int, report: BenchReport) {
        self.report = report
        for t in Set([1, threads]).sorted() { _ = peak(threads: t) }
    }

    func peak(threads: Int) -> Double {
        if let p = measured[threads] { return p }
        // Best of three: the peak is a property of the machine, noise only lowers it.
        // f32 FMAs of the width the f32 kernels use (AVX2 on x86-64; CPUPeak: best of three per thread).
        let p = CPUPeak.rate(.f32AVX2, threads: threads)
        measured[threads] = p
        report.peakRow(threads: threads, gflops: p)
        return p
    }
}
