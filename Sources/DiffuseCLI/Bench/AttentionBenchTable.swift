import DiffuseBench

/// One row of `diffuse bench attention`: a table row, or with `--json` one line (`source`, `backend`,
/// `batch`, `heads`, `q_len`, `kv_len`, `head_dim`, `dtype`, `threads`, `seconds`, `gflops`,
/// `speedup_vs_vanilla`, `extra_bytes`).
struct AttentionBenchRow: Encodable {
    var source: String
    var backend: String
    var shape: (b: Int, h: Int, lq: Int, lkv: Int, d: Int)
    var dtype: String
    var threads: Int
    var seconds: Double
    var flops: Double
    var extraBytes: Int?
    var vanillaSeconds: Double?

    var gflops: Double { flops / seconds / 1e9 }
    var speedup: Double? { vanillaSeconds.map { $0 / seconds } }

    enum CodingKeys: String, CodingKey {
        case source, backend, batch, heads, dtype, threads, seconds, gflops
        case qLen = "q_len", kvLen = "kv_len", headDim = "head_dim"
        case speedup = "speedup_vs_vanilla", extraBytes = "extra_bytes"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(backend, forKey: .backend)
        try c.encode(shape.b, forKey: .batch)
        try c.encode(shape.h, forKey: .heads)
        try c.encode(shape.lq, forKey: .qLen)
        try c.encode(shape.lkv, forKey: .kvLen)
        try c.encode(shape.d, forKey: .headDim)
        try c.encode(dtype, forKey: .dtype)
        try c.encode(threads, forKey: .threads)
        try c.encode(JSONLine.rounded(seconds, 6), forKey: .seconds)
        try c.encode(JSONLine.rounded(gflops, 2), forKey: .gflops)
        try c.encode(JSONLine.rounded(speedup, 3), forKey: .speedup)
        try c.encode(extraBytes, forKey: .extraBytes)
    }
}

/// Prints attention rows as a table or JSON lines.
final class AttentionBenchTable {
    let json: Bool
    init(json: Bool) { self.json = json }

    func header() {
        guard !json else { return }
        print("source  backend           shape (BxHxLqxLkvxD)      dtype thr    seconds  GFLOP/s  vs vanilla  extra bytes")
    }

    func row(_ r: AttentionBenchRow) {
        let s = r.shape
        let shape = "\(s.b)x\(s.h)x\(s.lq)x\(s.lkv)x\(s.d)"
        if json {
            print(JSONLine.encode(r))
        } else {
            func pad(_ t: String, _ w: Int, right: Bool = false) -> String {
                let fill = String(repeating: " ", count: max(1, w - t.count))
                return right ? fill + t : t + fill
            }
            print(pad(r.source, 8) + pad(r.backend, 18) + pad(shape, 26) + pad(r.dtype, 5) + pad("\(r.threads)", 4, right: true)
                  + pad(fmt(r.seconds, 4), 11, right: true) + pad(fmt(r.gflops, 1), 9, right: true)
                  + pad(r.speedup.map { fmt($0, 2) + "×" } ?? "-", 12, right: true)
                  + pad(r.extraBytes.map(formatBytesShort) ?? "n/a", 13, right: true))
        }
        fflush(nil)
    }
}

private func formatBytesShort(_ n: Int) -> String {
    n >= 1 << 20 ? fmt(Double(n) / Double(1 << 20), 1) + " MiB" : fmt(Double(n) / 1024, 1) + " KiB"
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
