/// The inner loops of `FlashAttention`, on `SIMD8<Float>` with FMA. Every matrix in the tile scratch is
/// "transposed" (queries along the fast axis, `FlashAttention.queryTile` floats per row), so the vectors
/// always run over 24 queries (3 registers) and k / v elements are broadcast: 12 accumulators, the same
/// register budget as the GEMM's 6×16 kernel.
enum FlashAttentionMicroKernels {
    typealias V = SIMD8<Float>
    static let ld = FlashAttention.queryTile

    /// s[c][0..<24] = Σ_t k[c][t] · qt[t][0..<24] for the 4 keys c = 0…3 (rows of k `ldk` apart).
    @inline(__always)
    static func scores4x24(depth: Int, qt: UnsafePointer<Float>, k: UnsafePointer<Float>, ldk: Int,
                           s: UnsafeMutablePointer<Float>) {
        var c00 = V(), c01 = V(), c02 = V(), c10 = V(), c11 = V(), c12 = V()
        var c20 = V(), c21 = V(), c22 = V(), c30 = V(), c31 = V(), c32 = V()
        let k0 = k, k1 = k + ldk, k2 = k + 2 * ldk, k3 = k + 3 * ldk
        var q = qt
        for t in 0..<depth {
            let a0 = q.loadVector8(at: 0), a1 = q.loadVector8(at: 8), a2 = q.loadVector8(at: 16)
            let b0 = V(repeating: k0[t]), b1 = V(repeating: k1[t])
            c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a1, b0); c02 = c02.addingProduct(a2, b0)
            c10 = c10.addingProduct(a0, b1); c11 = c11.addingProduct(a1, b1); c12 = c12.addingProduct(a2, b1)
            let b2 = V(repeating: k2[t]), b3 = V(repeating: k3[t])
            c20 = c20.addingProduct(a0, b2); c21 = c21.addingProduct(a1, b2); c22 = c22.addingProduct(a2, b2)
            c30 = c30.addingProduct(a0, b3); c31 = c31.addingProduct(a1, b3); c32 = c32.addingProduct(a2, b3)
            q += ld
        }
        s.storeVector8(c00, at: 0); s.storeVector8(c01, at: 8); s.storeVector8(c02, at: 16)
        s.storeVector8(c10, at: ld); s.storeVector8(c11, at: ld + 8); s.storeVector8(c12, at: ld + 16)
        s.storeVector8(c20, at: 2 * ld); s.storeVector8(c21, at: 2 * ld + 8); s.storeVector8(c22, at: 2 * ld + 16)
        s.storeVector8(c30, at: 3 * ld); s.storeVector8(c31, at: 3 * ld + 8); s.storeVector8(c32, at: 3 * ld + 16)
    }

    /// o[e][0..<24] += Σ_c v[c][e] · p[c][0..<24] for the 4 value columns e = 0…3 (rows of v `ldv` apart).
    @inline(__always)
    static func values4x24(keys: Int, p: UnsafePointer<Float>, v: UnsafePointer<Float>, ldv: Int,
                           o: UnsafeMutablePointer<Float>) {
        var c00 = V(), c01 = V(), c02 = V(), c10 = V(), c11 = V(), c12 = V()
        var c20 = V(), c21 = V(), c22 = V(), c30 = V(), c31 = V(), c32 = V()
        var pp = p, vp = v
        for _ in 0..<keys {
            let a0 = pp.loadVector8(at: 0), a1 = pp.loadVector8(at: 8), a2 = pp.loadVector8(at: 16)
            let b0 = V(repeating: vp[0]), b1 = V(repeating: vp[1])
            c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a1, b0); c02 = c02.addingProduct(a2, b0)
            c10 = c10.addingProduct(a0, b1); c11 = c11.addingProduct(a1, b1); c12 = c12.addingProduct(a2, b1)
            let b2 = V(repeating: vp[2]), b3 = V(repeating: vp[3])
            c20 = c20.addingProduct(a0, b2); c21 = c21.addingProduct(a1, b2); c22 = c22.addingProduct(a2, b2)
            c30 = c30.addingProduct(a0, b3); c31 = c31.addingProduct(a1, b3); c32 = c32.addingProduct(a2, b3)
            pp += ld
            vp += ldv
        }
        accumulate(o, 0, c00, c01, c02)
        accumulate(o, ld, c10, c11, c12)
        accumulate(o, 2 * ld, c20, c21, c22)
        accumulate(o, 3 * ld, c30, c31, c32)
    }

    @inline(__always)
    private static func accumulate(_ o: UnsafeMutablePointer<Float>, _ at: Int, _ x: V, _ y: V, _ z: V) {
        let r = UnsafePointer(o)
        o.storeVector8(r.loadVector8(at: at) + x, at: at)
        o.storeVector8(r.loadVector8(at: at + 8) + y, at: at + 8)
        o.storeVector8(r.loadVector8(at: at + 16) + z, at: at + 16)
    }

    /// The online-softmax step for one block, per vector of 8 of the first `queries` queries: m' = max(m, max_c s[c]),
    /// s[c] ← 2^(s[c] − m'), l ← l·2^(m − m') + Σ_c s[c], o ← o·2^(m − m'). A query whose scores are all −∞
    /// so far uses 0 in place of m' (its p are then 0, and l stays 0).
    @inline(__always)
    static func onlineSoftmax(s: UnsafeMutablePointer<Float>, keys: Int, queries: Int, m: UnsafeMutablePointer<Float>,
                              l: UnsafeMutablePointer<Float>, o: UnsafeMutablePointer<Float>, oRows: Int) {
        let sr = UnsafePointer(s)
        for off in stride(from: 0, to: queries, by: 8) {
            let mOld = UnsafePointer(m).loadVector8(at: off)
            var mx0 = mOld, mx1 = mOld
            var c = 0
            while c + 2 <= keys {
                let x0 = sr.loadVector8(at: c * ld + off), x1 = sr.loadVector8(at: (c + 1) * ld + off)
                mx0 = mx0.replacing(with: x0, where: x0 .> mx0)
                mx1 = mx1.replacing(with: x1, where: x1 .> mx1)
                c += 2
            }
            if c < keys {
                let x0 = sr.loadVector8(at: c * ld + off)
                mx0 = mx0.replacing(with: x0, where: x0 .> mx0)
            }
            let mNew = mx0.replacing(with: mx1, where: mx1 .> mx0)
            let mUse = mNew.replacing(with: 0, where: mNew .== -.infinity)
            var sum0 = V(), sum1 = V()
            c = 0
            while c + 2 <= keys {
                let e0 = AttentionExp2.exp2(sr.loadVector8(at: c * ld + off) - mUse)
                let e1 = AttentionExp2.exp2(sr.loadVector8(at: (c + 1) * ld + off) - mUse)
                s.storeVector8(e0, at: c * ld + off)
                s.storeVector8(e1, at: (c + 1) * ld + off)
                sum0 += e0
                sum1 += e1
                c += 2
            }
            if c < keys {
                let e0 = AttentionExp2.exp2(sr.loadVector8(at: c * ld + off) - mUse)
                s.storeVector8(e0, at: c * ld + off)
                sum0 += e0
            }
            let alpha = AttentionExp2.exp2(mOld - mUse)
            let lOld = UnsafePointer(l).loadVector8(at: off)
            l.storeVector8((sum0 + sum1).addingProduct(lOld, alpha), at: off)
            m.storeVector8(mNew, at: off)
            // Rescale the accumulated output unless every α is 1 (the max did not move).
            if any(alpha .!= 1) {
                for e in 0..<oRows {
                    o.storeVector8(UnsafePointer(o).loadVector8(at: e * ld + off) * alpha, at: e * ld + off)
                }
            }
        }
    }
}
