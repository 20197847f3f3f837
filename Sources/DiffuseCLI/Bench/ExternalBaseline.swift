import DiffuseBench
import DiffuseCPU
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a baseline script (numpy, PyTorch) as a child process and reads the JSON object it prints per
/// line (read with `JSONLine.decode`), so that baselines are measured in the same run as Diffuse, under
/// the same machine load.
enum ExternalBaseline {
    /// The output lines of `command` (stderr merged) and whether it exited 0; `onLine` sees each line as
    /// it comes (a baseline's rows print while it runs, not only at its end).
    static func run(_ command: String, onLine: (String) -> Void = { _ in }) -> (lines: [String], succeeded: Bool) {
        guard let pipe = popen(command + " 2>&1", "r") else { return ([], false) }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        var pending = ""
        while fgets(&buffer, Int32(buffer.count), pipe) != nil {
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            pending += String(decoding: bytes, as: UTF8.self)
            guard pending.hasSuffix("\n") else { continue }        // a line longer than the buffer: read on
            let line = String(pending.dropLast())
            pending = ""
            lines.append(line)
            onLine(line)
        }
        if !pending.isEmpty {
            lines.append(pending)
            onLine(pending)
        }
        return (lines, pclose(pipe) == 0)
    }

}

/// `Scripts/bench_torch_attention.py` on one shape: torch's `scaled_dot_product_attention` and the
/// baddbmm + softmax + bmm path of diffusers' `AttnProcessor`.
struct TorchAttentionBaseline {
    let python: String
    let repeats: Int
    let dtype: String
    var script = "Scripts/bench_torch_attention.py"

    func run(shape: (Int, Int, Int, Int, Int), flops: Double, vanillaSeconds: Double?, table: AttentionBenchTable) {
        guard access(script, R_OK) == 0 else {
            print("PyTorch baseline skipped: \(script) not found (run from the repository root)")
            return
        }
        let (b, h, lq, lkv, d) = shape
        let threads = Parallel.threadCount
        let command = "\(python) \(script) --threads \(threads) --repeats \(repeats) --dtype \(dtype) "
            + "--shapes \(b)x\(h)x\(lq)x\(lkv)x\(d) --vanilla"
        let (lines, succeeded) = ExternalBaseline.run(command)
        /// What the script prints per backend: `{"backend": "sdpa", "seconds": 0.3, …}`.
        struct Line: Decodable { let backend: String; let seconds: Double }
        let rows = lines.compactMap { line -> AttentionBenchRow? in
            guard line.hasPrefix("{"), let parsed = try? JSONLine.decode(Line.self, from: line) else { return nil }
            return AttentionBenchRow(source: "torch", backend: parsed.backend, shape: (b, h, lq, lkv, d), dtype: dtype,
                                     threads: threads, seconds: parsed.seconds, flops: flops, extraBytes: nil,
                                     vanillaSeconds: vanillaSeconds)
        }
        guard succeeded, !rows.isEmpty else {
            print("PyTorch baseline unavailable (\(python) with torch; pass --python or --no-torch): "
                  + lines.suffix(2).joined(separator: " | "))
            return
        }
        rows.forEach(table.row)
    }
}
