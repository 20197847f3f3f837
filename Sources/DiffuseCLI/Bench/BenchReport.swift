#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseCPU
import DiffuseBench

/// One measured case.
struct BenchRow {
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
        if json { print("{\"note\":\(quoted(text))}") } else { print(text) }
        fflush(nil)
    }

    func peakRow(threads: Int, gflops: Double) {
        if json {
            print("{\"op\":\"fma_peak\",\"shape\":\"registers\",\"threads\":\(threads),\"gflops\":\(fmt(gflops, 2))}")
        } else {
            print("measured FMA peak, \(threads) thread\(threads == 1 ? "" : "s"): \(fmt(gflops, 1)) GFLOP/s")
        }
        fflush(nil)
    }

    func row(_ r: BenchRow) {
        if json {
            print("{\"source\":\(quoted(r.source)),\"op\":\(quoted(r.op)),\"shape\":\(quoted(r.shape)),"
                  + "\"dtype\":\(quoted(r.dtype)),\"threads\":\(r.threads),\"seconds\":\(fmt(r.seconds, 6)),"
                  + "\"gflops\":\(fmt(r.gflops, 2)),\"peak_fraction\":\(fmt(r.peakFraction, 4)),"
                  + "\"gb_per_s\":\(fmt(r.gbPerSecond, 2))}")
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

    private func quoted(_ s: String) -> String { jsonString(s) }
}

/// `DiffuseBench.fmt` for every file of this target (module-level names shadow imported ones).
func fmt(_ value: Double, _ decimals: Int) -> String { DiffuseBench.fmt(value, decimals) }

/// `DiffuseBench.jsonString` for every file of this target.
func jsonString(_ s: String) -> String { DiffuseBench.jsonString(s) }

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
        let p = (0..<3).map { _ in PeakFLOPS.measureFMA(threads: threads) }.max()!
        measured[threads] = p
        report.peakRow(threads: threads, gflops: p)
        return p
    }
}
