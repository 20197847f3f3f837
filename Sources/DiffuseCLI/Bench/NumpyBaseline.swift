#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `Scripts/bench_numpy.py` (numpy's matmul, i.e. OpenBLAS here) on the same GEMM shapes, in the
/// same run, so the comparison is made under the same machine load. Its JSON lines become table rows.
struct NumpyBaseline {
    let python: String
    let script: String
    let quick: Bool
    let repeats: Int

    func run(threads: [Int], report: BenchReport, peaks: PeakTable) {
        guard access(script, R_OK) == 0 else {
            report.note("numpy baseline skipped: \(script) not found (run from the repository root, or pass --numpy-script)")
            return
        }
        let size = quick ? 512 : 4096
        for t in threads {
            // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on some machines to work around old OpenBLAS
            // bugs; they slow a current numpy, so they are unset for this one command only.
            let command = "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=\(t) OMP_NUM_THREADS=\(t) "
                + "\(python) \(script) --size \(size) --threads \(t) --repeats \(repeats)"
            let (lines, succeeded) = ExternalBaseline.run(command)
            let rows = lines.compactMap { parse($0, peak: peaks.peak(threads: t)) }
            if !succeeded || rows.isEmpty {
                report.note("numpy baseline failed (\(python) \(script)): \(lines.suffix(3).joined(separator: " | "))")
                return
            }
            rows.forEach(report.row)
        }
    }

    /// Reads `{"op": "gemm", "shape": "...", "dtype": "f32", "threads": 1, "seconds": 0.1, "flops": 1e9}`.
    private func parse(_ line: String, peak: Double) -> BenchRow? {
        func field(_ name: String) -> String? { ExternalBaseline.field(name, in: line) }
        guard let op = field("op"), let seconds = field("seconds").flatMap(Double.init),
              let flops = field("flops").flatMap(Double.init), let threads = field("threads").flatMap(Int.init) else { return nil }
        return BenchRow(source: field("source") ?? "numpy", op: op, shape: field("shape") ?? "?", dtype: field("dtype") ?? "f32",
                        threads: threads, seconds: seconds, flops: flops, bytes: 0, peak: peak)
    }
}
