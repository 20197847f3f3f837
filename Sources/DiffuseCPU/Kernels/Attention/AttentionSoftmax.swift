/// The row softmax of the materialising kernels, on SIMD8 with `AttentionExp2` (e^x = 2^(x·log₂e)).
/// "Safe" as PyTorch ≥ 2.5's `_safe_softmax`: a row that is all −∞ becomes all 0, not NaN.
enum AttentionSoftmax {
    typealias V = SIMD8<Float>

    static func safeSoftmax(_ row: UnsafeMutablePointer<Float>, _ n: Int) {
        if n == 0 { return }
        let r = UnsafePointer(row)
        var m0 = V(repeating: -.infinity), m1 = m0
        var j = 0
        while j + 16 <= n {
            let a = r.loadVector8(at: j), b = r.loadVector8(at: j + 8)
            m0 = m0.replacing(with: a, where: a .> m0)
            m1 = m1.replacing(with: b, where: b .> m1)
            j += 16
        }
        m0 = m0.replacing(with: m1, where: m1 .> m0)
        var m = AttentionSIMD.max(m0)
        while j < n { if r[j] > m { m = r[j] }; j += 1 }
        if m == -.infinity {
            row.update(repeating: 0, count: n)
            return
        }
        let log2e: Float = 1.442_695_040_888_963_4
        let shift = V(repeating: -m * log2e)
        var s0 = V(), s1 = V()
        j = 0
        while j + 16 <= n {
            let a = AttentionExp2.exp2(shift.addingProduct(r.loadVector8(at: j), log2e))
            let b = AttentionExp2.exp2(shift.addingProduct(r.loadVector8(at: j + 8), log2e))
            row.storeVector8(a, at: j)
            row.storeVector8(b, at: j + 8)
            s0 += a
            s1 += b
            j += 16
        }
        var sum = AttentionSIMD.sum(s0 + s1)
        while j < n {
            let e = AttentionExp2.exp2(V(repeating: (r[j] - m) * log2e))[0]
            row[j] = e
            sum += e
            j += 1
        }
        let inverse = V(repeating: 1 / sum)
        j = 0
        while j + 8 <= n {
            row.storeVector8(r.loadVector8(at: j) * inverse, at: j)
            j += 8
        }
        while j < n { row[j] *= inverse[0]; j += 1 }
    }
}
