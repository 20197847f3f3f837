/// Nearest 2× upsampling, any element type T (the op copies bits, no arithmetic).
/// x: [P, H, W] contiguous (P = N·C planes) → out: [P, 2H, 2W]. Each source row becomes one
/// output row of doubled elements, then that row is copied below itself. Rows split across threads.
enum UpsampleNearestKernel {
    static func run<T>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, planes: Int, height h: Int, width w: Int) {
        let rows = planes * h
        VectorMap.forRows(rows, rowLength: 4 * w) { rowRange in
            for r in rowRange {
                let src = x + r * w
                let dst = out + 4 * w * r // output rows 2r and 2r + 1 (plane p's row i is r = p·H + i)
                for j in 0..<w {
                    let v = src[j]
                    dst[2 * j] = v
                    dst[2 * j + 1] = v
                }
                (dst + 2 * w).update(from: dst, count: 2 * w)
            }
        }
    }
}
