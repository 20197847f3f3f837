#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseBench

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

    /// What the script prints: `{"source": "numpy", "op": "gemm", "shape": "...", "dtype": "f32",
    /// "threads": 1, "seconds": 0.1, "flops": 1e9, …}`.
    private struct Line: Decodable {
        let source: String?
        let op: String
        let shape: String?
        let dtype: String?
        let threads: Int
        let seconds: Double
        let flops: Double
    }

    private func parse(_ line: String, peak: Double) -> BenchRow? {
        guard line.hasPrefix("{"), let l = try? JSONLine.decode(Line.self, from: line) else { return nil }
        return BenchRow(source: l.source ?? "numpy", op: l.op, shape: l.shape ?? "?", dtype: l.dtype ?? "f32",
                        threads: l.threads, seconds: l.seconds, flops: l.flops, bytes: 0, peak: peak)
    }
}
