#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDiffuseKernels

/// Which f32 micro-kernel `gemmTile` runs: `microKernel6x16` below (Swift, fast only in the Haswell-targeted
/// build) or `diffuse_sgemm_6x16_avx2` (sgemm_avx2.c: the same tile in C behind a `target` attribute, fast
/// without any compiler flag). `DIFFUSE_GEMM_KERNEL=swift|c` picks one for a side-by-side measurement;
/// default swift.
enum GEMMMicroKernelChoice {
    static let useC: Bool = {
        guard let name = getenv("DIFFUSE_GEMM_KERNEL").map({ String(cString: $0) }) else { return false }
        return name == "c" && CPUFeatures.current.avx2 && CPUFeatures.current.fma
    }()
}

/// One 6×16 tile of C with the chosen micro-kernel (arguments as `microKernel6x16`).
@inline(__always)
func gemmTile(k: Int, a: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                          UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
              aStep: Int, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int,
              alpha: Float, beta: Float, bias: UnsafePointer<Float>? = nil, halfWidth: Bool = false) {
    if GEMMMicroKernelChoice.useC {
        diffuse_sgemm_6x16_avx2(k, a.0, a.1, a.2, a.3, a.4, a.5, aStep, b, c, ldc, Int32(m), Int32(n), alpha, beta, bias,
                                halfWidth ? 1 : 0)
    } else {
        microKernel6x16(k: k, a: a, aStep: aStep, b: b, c: c, ldc: ldc, m: m, n: n, alpha: alpha, beta: beta,
                        bias: bias, halfWidth: halfWidth)
    }
}

/// The f32 micro-kernel: one 6×16 tile of C from a row block of A and a packed panel of B.
///
/// Shapes (row-major, all f32):
///   A: 6 rows × k, row i at `a[i]`, element p of a row at `a[i][p · aStep]` (aStep = 1 for A read in
///      place, 6 for a packed A micro-panel). Rows past `m` repeat row `m − 1` (their results are dropped).
///   B: packed panel [k][16] (16 consecutive floats per p, zero-padded past column n).
///   C: m × n (m ≤ 6, n ≤ 16) at `c`, row stride `ldc`:  C = alpha · A·B + beta · C  (beta = 0: C not read).
///   bias: nil, or m floats: row i's accumulators start at bias[i] (C = alpha · (A·B + bias) + beta · C).
///
/// 12 `SIMD8<Float>` accumulators (6 rows × 2 vectors) + 2 B vectors + 1 broadcast = 15 of 16 ymm registers;
/// per p: 2 loads, 6 broadcasts, 12 FMAs. `halfWidth` (n ≤ 8, pass a constant so inlining specialises it)
/// skips the right half: 6 FMAs per p for the last panel of e.g. n = 40.
@inline(__always)
func microKernel6x16(k: Int, a: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                                 UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
                     aStep: Int, b: UnsafePointer<Float>,
                     c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int, alpha: Float, beta: Float,
                     bias: UnsafePointer<Float>? = nil, halfWidth: Bool = false) {
    typealias V = SIMD8<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
    var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
    if let bias {
        let last = m - 1
        c00 = V(repeating: bias[0]); c01 = c00
        c10 = V(repeating: bias[min(1, last)]); c11 = c10
        c20 = V(repeating: bias[min(2, last)]); c21 = c20
        c30 = V(repeating: bias[min(3, last)]); c31 = c30
        c40 = V(repeating: bias[min(4, last)]); c41 = c40
        c50 = V(repeating: bias[min(5, last)]); c51 = c50
    }
    let (a0, a1, a2, a3, a4, a5) = a
    let braw = UnsafeRawPointer(b)
    var offset = 0
    var bOffset = 0
    for _ in 0..<k {
        let b0 = braw.loadUnaligned(fromByteOffset: bOffset, as: V.self)
        if halfWidth {
            c00.addProduct(V(repeating: a0[offset]), b0)
            c10.addProduct(V(repeating: a1[offset]), b0)
            c20.addProduct(V(repeating: a2[offset]), b0)
            c30.addProduct(V(repeating: a3[offset]), b0)
            c40.addProduct(V(repeating: a4[offset]), b0)
            c50.addProduct(V(repeating: a5[offset]), b0)
        } else {
            let b1 = braw.loadUnaligned(fromByteOffset: bOffset + 32, as: V.self)
            var x = V(repeating: a0[offset])
            c00.addProduct(x, b0); c01.addProduct(x, b1)
            x = V(repeating: a1[offset])
            c10.addProduct(x, b0); c11.addProduct(x, b1)
            x = V(repeating: a2[offset])
            c20.addProduct(x, b0); c21.addProduct(x, b1)
            x = V(repeating: a3[offset])
            c30.addProduct(x, b0); c31.addProduct(x, b1)
            x = V(repeating: a4[offset])
            c40.addProduct(x, b0); c41.addProduct(x, b1)
            x = V(repeating: a5[offset])
            c50.addProduct(x, b0); c51.addProduct(x, b1)
        }
        offset &+= aStep
        bOffset &+= 64
    }
    if m == 6 && n == 16 {
        storeTileRow(c00, c01, c, alpha: alpha, beta: beta)
        storeTileRow(c10, c11, c + ldc, alpha: alpha, beta: beta)
        storeTileRow(c20, c21, c + 2 * ldc, alpha: alpha, beta: beta)
        storeTileRow(c30, c31, c + 3 * ldc, alpha: alpha, beta: beta)
        storeTileRow(c40, c41, c + 4 * ldc, alpha: alpha, beta: beta)
        storeTileRow(c50, c51, c + 5 * ldc, alpha: alpha, beta: beta)
        return
    }
    // Edge tile: spill the accumulators and write only the m × n corner.
    withUnsafeTemporaryAllocation(of: V.self, capacity: 12) { t in
        t[0] = c00; t[1] = c01; t[2] = c10; t[3] = c11; t[4] = c20; t[5] = c21
        t[6] = c30; t[7] = c31; t[8] = c40; t[9] = c41; t[10] = c50; t[11] = c51
        let tile = UnsafeRawPointer(t.baseAddress!).assumingMemoryBound(to: Float.self)
        storeEdgeTile(tile, c, ldc: ldc, m: m, n: n, alpha: alpha, beta: beta)
    }
}

/// C[0..<16] = alpha · (lo, hi) + beta · C[0..<16].
@inline(__always)
func storeTileRow(_ lo: SIMD8<Float>, _ hi: SIMD8<Float>, _ c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
    let raw = UnsafeMutableRawPointer(c)
    var r0 = lo * alpha, r1 = hi * alpha
    if beta != 0 {
        r0.addProduct(raw.loadUnaligned(as: SIMD8<Float>.self), SIMD8(repeating: beta))
        r1.addProduct(raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), SIMD8(repeating: beta))
    }
    raw.storeBytes(of: r0, as: SIMD8<Float>.self)
    raw.storeBytes(of: r1, toByteOffset: 32, as: SIMD8<Float>.self)
}

/// C[i][j] = alpha · tile[i][j] + beta · C[i][j] for i < m, j < n; tile is [6][16] row-major.
@inline(never)
func storeEdgeTile(_ tile: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, n: Int,
                   alpha: Float, beta: Float) {
    for i in 0..<m {
        let row = c + i * ldc
        for j in 0..<n {
            let v = alpha * tile[i * 16 + j]
            row[j] = beta == 0 ? v : v + beta * row[j]
        }
    }
}
