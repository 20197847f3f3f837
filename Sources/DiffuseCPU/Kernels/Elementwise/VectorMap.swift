/// The shared elementwise loops. Every elementwise kernel (activations, norms' epilogues, softmax's
/// passes, GEGLU, broadcast add/mul) is one of these with a vector function `f`; the tail (< 16
/// elements) runs through `f` too, on a partially loaded vector, so no scalar twin of `f` is needed.
/// All are serial: callers split the work with `Parallel` (see `VectorMap.parallelUnary`).
enum VectorMap {
    typealias V = SIMD16<Float>

    /// dst[i] = f(src[i]), i ∈ 0..<n. `dst` may equal `src`.
    @inline(__always)
    static func unary(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ f: (V) -> V) {
        var i = 0
        while i + 16 <= n {
            dst.store(f(src.vector(at: i)), at: i)
            i += 16
        }
        if i < n { f(V.loadPartial(src + i, count: n - i)).storePartial(dst + i, count: n - i) }
    }

    /// dst[i] = f(a[i·sa], b[i·sb]), i ∈ 0..<n, for any element strides (0 broadcasts one value).
    /// Unit and zero strides take vector loads; others gather lane by lane.
    @inline(__always)
    static func binary(_ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                       _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ f: (V, V) -> V) {
        switch (sa, sb) {
        case (1, 1):
            var i = 0
            while i + 16 <= n {
                dst.store(f(a.vector(at: i), b.vector(at: i)), at: i)
                i += 16
            }
            if i < n { f(V.loadPartial(a + i, count: n - i), V.loadPartial(b + i, count: n - i)).storePartial(dst + i, count: n - i) }
        case (1, 0):
            let bv = V(repeating: b[0])
            unary(a, dst, n) { f($0, bv) }
        case (0, 1):
            let av = V(repeating: a[0])
            unary(b, dst, n) { f(av, $0) }
        default:
            var i = 0
            while i + 16 <= n {
                dst.store(f(V.loadStrided(a + i * sa, stride: sa), V.loadStrided(b + i * sb, stride: sb)), at: i)
                i += 16
            }
            if i < n {
                f(V.loadPartial(a + i * sa, count: n - i, stride: sa),
                  V.loadPartial(b + i * sb, count: n - i, stride: sb)).storePartial(dst + i, count: n - i)
            }
        }
    }

    /// `unary` over 0..<n split across threads in chunks of at least `grain` elements.
    @inline(__always)
    static func parallelUnary(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int,
                              grain: Int = 1 << 15, _ f: (V) -> V) {
        Parallel.forRanges(n, grain: grain) { range in
            unary(src + range.lowerBound, dst + range.lowerBound, range.count, f)
        }
    }

    /// Rows of `rowLength` elements split across threads, about `grain` elements per task at least.
    @inline(__always)
    static func forRows(_ rows: Int, rowLength: Int, grain: Int = 1 << 14, _ body: (Range<Int>) -> Void) {
        Parallel.forRanges(rows, grain: max(1, grain / max(rowLength, 1)), body)
    }
}
