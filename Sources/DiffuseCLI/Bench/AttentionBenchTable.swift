/// One row of `diffuse bench attention`.
struct AttentionBenchRow {
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
            print("{\"source\":\(jsonString(r.source)),\"backend\":\(jsonString(r.backend)),\"batch\":\(s.b),"
                  + "\"heads\":\(s.h),\"q_len\":\(s.lq),\"kv_len\":\(s.lkv),\"head_dim\":\(s.d),"
                  + "\"dtype\":\(jsonString(r.dtype)),\"threads\":\(r.threads),\"seconds\":\(fmt(r.seconds, 6)),"
                  + "\"gflops\":\(fmt(r.gflops, 2)),\"speedup_vs_vanilla\":\(r.speedup.map { fmt($0, 3) } ?? "null"),"
                  + "\"extra_bytes\":\(r.extraBytes.map { "\($0)" } ?? "null")}")
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
